// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IPatientKeys} from "./IPatientKeys.sol";
import {ISignedActions} from "./ISignedActions.sol";

/**
 * @dev The consortium: organisations (admitted by a two-thirds vote of the active ones), their members
 * with roles, and patients, each with an encryption public key; where each organisation's gateway is
 * reached and which address it relays from; and the custody configuration (which organisations hold the
 * k-of-n key shares of record data keys, and k), also decided by a two-thirds vote.
 *
 * Patients rotate their keys and commit key backups through {IPatientKeys}.
 *
 * An address is at most one member or one patient, never both, and never a key a patient rotated to. Organisation kinds are 1 hospital,
 * 2 lab, 3 pharmacy, 4 insurer; roles are 1 doctor, 2 nurse, 3 lab, 4 pharmacist, 5 insurer, 6 admin;
 * organisation status is 0 none, 1 pending, 2 active.
 */
interface IConsortium is IPatientKeys, ISignedActions {
    struct Organisation {
        string name;
        uint8 kind;
        uint8 status;
        bytes32 encryptionKey;
        string gatewayUrl;
        uint32 approvals;
    }

    struct Member {
        uint32 organisationId;
        uint8 role;
        bool active;
        bytes32 encryptionKey;
    }

    struct Patient {
        bool registered;
        bytes32 encryptionKey;
        uint32 organisationId;
    }

    /**
     * @dev A proposed custody configuration: `threshold` of the organisations `custodians` must release
     * their key shares for a data key to be recovered. `baseVersion` is the custody version the proposal
     * would replace: it can pass only while that version is current, so a proposal never undoes a newer
     * configuration. `approvals` counts the organisations that voted for it, its proposer's included.
     */
    struct CustodyProposal {
        uint32[] custodians;
        uint8 threshold;
        uint32 proposerOrganisationId;
        uint32 approvals;
        uint64 baseVersion;
        bool enacted;
    }

    /// @dev An organisation was proposed with `admin` as its first member.
    /// @param organisationId The new organisation.
    /// @param admin Its first admin.
    /// @param name The organisation name.
    /// @param kind The organisation kind (1 hospital, 2 lab, 3 pharmacy, 4 insurer).
    /// @param encryptionKey The X25519 encryption public key.
    /// @param gatewayUrl The URL at which the organisation's gateway is reached.
    event OrganisationProposed(
        uint32 indexed organisationId,
        address indexed admin,
        string name,
        uint8 kind,
        bytes32 encryptionKey,
        string gatewayUrl
    );

    /// @dev The active organisation `approverOrganisationId` voted, through its admin `approver`, to admit
    /// `organisationId`, which now has `approvals` votes.
    /// @param organisationId The organisation voted for.
    /// @param approverOrganisationId The organisation that voted.
    /// @param approver The admin who signed the vote.
    /// @param approvals The number of organisations that voted for it so far.
    event OrganisationApproved(
        uint32 indexed organisationId,
        uint32 indexed approverOrganisationId,
        address approver,
        uint32 approvals
    );

    /// @dev The organisation became active: its members can act.
    /// @param organisationId The organisation now active.
    event OrganisationActivated(uint32 indexed organisationId);

    /// @dev `member` joined `organisationId` with `role`.
    /// @param member The new member.
    /// @param organisationId Its organisation.
    /// @param role Its role (1..6).
    /// @param encryptionKey Its X25519 encryption public key.
    event MemberAdded(address indexed member, uint32 indexed organisationId, uint8 role, bytes32 encryptionKey);

    /// @dev `member` was suspended: it can no longer act.
    /// @param member The suspended member.
    /// @param organisationId Its organisation.
    event MemberSuspended(address indexed member, uint32 indexed organisationId);

    /// @dev An admin of `organisationId` set `member`'s public profile (staff names are not health data;
    /// patients have no profile on chain).
    /// @param member The member.
    /// @param organisationId Its organisation.
    /// @param name Its display name (1..80 bytes of UTF-8).
    /// @param title Its title ("Dr", ...), empty for none (at most 32 bytes).
    /// @param department Its department, empty for none (at most 80 bytes).
    event MemberProfileSet(
        address indexed member,
        uint32 indexed organisationId,
        string name,
        string title,
        string department
    );

    /// @dev A patient registered, optionally attached to `organisationId` (0 for none).
    /// @param patient The new patient.
    /// @param organisationId The organisation it is attached to (0 for none).
    /// @param encryptionKey Its X25519 encryption public key.
    event PatientRegistered(address indexed patient, uint32 indexed organisationId, bytes32 encryptionKey);

    /// @dev The gateway of `organisationId` is now at `gatewayUrl` and sends its transactions from `relayer`.
    /// @param organisationId The organisation.
    /// @param gatewayUrl The URL at which the organisation's gateway is reached.
    /// @param relayer The address the gateway sends its transactions from (zero for none).
    event GatewaySet(uint32 indexed organisationId, string gatewayUrl, address relayer);

    /// @dev A custody configuration was proposed.
    /// @param proposalId The proposal (ids run from 1).
    /// @param custodians The custodian organisations (at most 16, distinct).
    /// @param threshold How many of the custodians must release their key shares (k of n).
    event CustodyProposed(uint256 indexed proposalId, uint32[] custodians, uint8 threshold);

    /// @dev The active organisation `approverOrganisationId` voted for custody proposal `proposalId`, which
    /// now has `approvals` votes (the proposer's organisation votes when it proposes).
    /// @param proposalId The proposal (ids run from 1).
    /// @param approverOrganisationId The organisation that voted.
    /// @param approvals The number of organisations that voted for it so far.
    event CustodyApproved(uint256 indexed proposalId, uint32 indexed approverOrganisationId, uint32 approvals);

    /// @dev The custody configuration `version` became current.
    /// @param version The version of the new configuration (from 1).
    /// @param custodians The custodian organisations (at most 16, distinct).
    /// @param threshold How many of the custodians must release their key shares (k of n).
    event CustodyChanged(uint64 indexed version, uint32[] custodians, uint8 threshold);

    /// @dev The organisation name is empty.
    error ConsortiumEmptyName();

    /// @dev The organisation kind is not one of 1..4.
    /// @param kind The kind given.
    error ConsortiumInvalidKind(uint8 kind);

    /// @dev The member role is not one of 1..6.
    /// @param role The role given.
    error ConsortiumInvalidRole(uint8 role);

    /// @dev An encryption public key is zero.
    error ConsortiumZeroEncryptionKey();

    /// @dev A member address is zero.
    error ConsortiumZeroAddress();

    /// @dev `account` is already a member or a patient.
    /// @param account The address already in use.
    error ConsortiumAddressTaken(address account);

    /// @dev `organisationId` is not an active organisation.
    /// @param organisationId The organisation.
    error ConsortiumOrganisationNotActive(uint32 organisationId);

    /// @dev `organisationId` is not awaiting approvals.
    /// @param organisationId The organisation.
    error ConsortiumOrganisationNotPending(uint32 organisationId);

    /// @dev `organisationId` has already been approved by `approverOrganisationId`.
    /// @param organisationId The organisation.
    /// @param approverOrganisationId The organisation that voted.
    error ConsortiumAlreadyApproved(uint32 organisationId, uint32 approverOrganisationId);

    /// @dev `admin` is not an active admin of the active organisation `organisationId` (for an approval,
    /// `organisationId` is the organisation `admin` belongs to, 0 if none).
    /// @param admin The signer that is not an active admin.
    /// @param organisationId The organisation it should be an admin of (0 if none).
    error ConsortiumNotActiveAdmin(address admin, uint32 organisationId);

    /// @dev `member` is not a member of any organisation.
    /// @param member The member.
    error ConsortiumUnknownMember(address member);

    /// @dev `member` is already suspended.
    /// @param member The member.
    error ConsortiumMemberAlreadySuspended(address member);

    /// @dev An admin tried to suspend itself, which could leave its organisation without an admin.
    /// @param admin The admin.
    error ConsortiumCannotSuspendSelf(address admin);

    /// @dev A member profile's name is empty or longer than 80 bytes, its title longer than 32 bytes or
    /// its department longer than 80 bytes.
    /// @param nameLength The name's length in bytes.
    /// @param titleLength The title's length in bytes.
    /// @param departmentLength The department's length in bytes.
    error ConsortiumInvalidProfile(uint256 nameLength, uint256 titleLength, uint256 departmentLength);

    /// @dev The custody threshold is not in 1..`custodianCount`.
    /// @param threshold The threshold given.
    /// @param custodianCount The number of custodians named.
    error ConsortiumInvalidCustodyThreshold(uint8 threshold, uint256 custodianCount);

    /// @dev A custody configuration names `custodianCount` custodians, more than the 16 allowed.
    /// @param custodianCount The number of custodians named.
    error ConsortiumTooManyCustodians(uint256 custodianCount);

    /// @dev A custody configuration names `organisationId` more than once.
    /// @param organisationId The custodian named twice.
    error ConsortiumDuplicateCustodian(uint32 organisationId);

    /// @dev Custody proposal `proposalId` does not exist, has passed, or was overtaken by another
    /// configuration (its `baseVersion` is no longer current).
    /// @param proposalId The proposal (ids run from 1).
    error ConsortiumCustodyProposalNotPending(uint256 proposalId);

    /// @dev Custody proposal `proposalId` has already been approved by `approverOrganisationId`.
    /// @param proposalId The proposal (ids run from 1).
    /// @param approverOrganisationId The organisation that voted.
    error ConsortiumCustodyAlreadyApproved(uint256 proposalId, uint32 approverOrganisationId);

    /**
     * @dev Proposes an organisation, signed by its first admin. The first organisation founds the
     * consortium and is active at once; later ones are pending until two thirds of the active
     * organisations approve them. `admin` becomes an active admin member of the new organisation, with
     * the organisation's encryption key.
     *
     * Requirements:
     *
     * - a valid signature by `admin` of `ProposeOrganisation`, unused nonce, deadline not passed.
     * - `name` is not empty, `kind` is 1..4, `encryptionKey` is not zero.
     * - `admin` is neither a member nor a patient.
     *
     * Emits {OrganisationProposed}, {MemberAdded} and, when founding, {OrganisationActivated}.
     *
     * @param name The organisation name.
     * @param kind The organisation kind (1 hospital, 2 lab, 3 pharmacy, 4 insurer).
     * @param admin The organisation's first admin, who signs the proposal.
     * @param encryptionKey The organisation's X25519 encryption public key (also its admin's).
     * @param gatewayUrl The URL at which the organisation's gateway is reached.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     * @return organisationId The new organisation.
     */
    function proposeOrganisation(
        string calldata name,
        uint8 kind,
        address admin,
        bytes32 encryptionKey,
        string calldata gatewayUrl,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint32 organisationId);

    /**
     * @dev Records the vote of `approver`'s organisation to admit `organisationId`, and activates it once
     * `approvals * 3 >= activeOrganisationCount * 2`.
     *
     * Requirements:
     *
     * - a valid signature by `approver` of `ApproveOrganisation`, unused nonce, deadline not passed.
     * - `approver` is an active admin of an active organisation.
     * - `organisationId` is pending and not yet approved by `approver`'s organisation.
     *
     * Emits {OrganisationApproved} and possibly {OrganisationActivated}.
     *
     * @param organisationId The pending organisation voted for.
     * @param approver The admin who signs the vote for its organisation.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     */
    function approveOrganisation(
        uint32 organisationId,
        address approver,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Adds `member` to `organisationId` with `role`.
     *
     * Requirements:
     *
     * - a valid signature by `admin` of `AddMember`, unused nonce, deadline not passed.
     * - `admin` is an active admin of `organisationId`, which is active.
     * - `member` is not zero and neither a member nor a patient; `role` is 1..6; `encryptionKey` is not zero.
     *
     * Emits {MemberAdded}.
     *
     * @param organisationId The organisation the member joins.
     * @param member The new member.
     * @param role The member role (1..6).
     * @param encryptionKey The member's X25519 encryption public key.
     * @param admin An admin of the organisation, who signs the action.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     */
    function addMember(
        uint32 organisationId,
        address member,
        uint8 role,
        bytes32 encryptionKey,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Suspends `member`: it can no longer act or be authorised by consents.
     *
     * Requirements:
     *
     * - a valid signature by `admin` of `SuspendMember`, unused nonce, deadline not passed.
     * - `member` is a member, not suspended, and not `admin`.
     * - `admin` is an active admin of `member`'s organisation, which is active.
     *
     * Emits {MemberSuspended}.
     *
     * @param member The member to suspend.
     * @param admin An admin of the member's organisation, who signs the action.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     */
    function suspendMember(
        address member,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Sets `member`'s public profile: the name, title and department shown for it.
     *
     * Requirements:
     *
     * - a valid signature by `admin` of `SetMemberProfile`, unused nonce, deadline not passed.
     * - `member` is a member (active or suspended).
     * - `admin` is an active admin of `member`'s organisation, which is active.
     * - `name` is 1..80 bytes, `title` at most 32 bytes, `department` at most 80 bytes.
     *
     * Emits {MemberProfileSet}.
     *
     * @param member The member whose profile is set.
     * @param name Its display name.
     * @param title Its title, empty for none.
     * @param department Its department, empty for none.
     * @param admin An admin of the member's organisation, who signs the action.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     */
    function setMemberProfile(
        address member,
        string calldata name,
        string calldata title,
        string calldata department,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Registers `patient` with its encryption key, optionally attached to `organisationId`.
     *
     * Requirements:
     *
     * - a valid signature by `patient` of `RegisterPatient`, unused nonce, deadline not passed.
     * - `encryptionKey` is not zero; `organisationId` is 0 or an active organisation.
     * - `patient` is neither a member nor a patient.
     *
     * Emits {PatientRegistered}.
     *
     * @param patient The patient, who signs its registration.
     * @param encryptionKey The patient's X25519 encryption public key.
     * @param organisationId The organisation the patient is attached to (0 for none).
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     */
    function registerPatient(
        address patient,
        bytes32 encryptionKey,
        uint32 organisationId,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Sets where the gateway of `organisationId` is reached and the address it sends transactions from
     * (which alone may anchor the organisation's audit batches). `relayer` may be zero to stop all
     * anchoring by the organisation until a new relayer is set. Several organisations may share a relayer.
     *
     * Requirements:
     *
     * - a valid signature by `admin` of `SetGateway`, unused nonce, deadline not passed.
     * - `admin` is an active admin of `organisationId`, which is active.
     *
     * Emits {GatewaySet}.
     *
     * @param organisationId The organisation.
     * @param gatewayUrl The URL at which the organisation's gateway is reached.
     * @param relayer The address the gateway sends its transactions from (zero for none).
     * @param admin An admin of the organisation, who signs the action.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     */
    function setGateway(
        uint32 organisationId,
        string calldata gatewayUrl,
        address relayer,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Proposes that `threshold` of the organisations `custodians` hold the key shares of new records.
     * The proposer's organisation approves it at once, which enacts it when that alone is two thirds of
     * the active organisations.
     *
     * Requirements:
     *
     * - a valid signature by `admin` of `ProposeCustody`, unused nonce, deadline not passed.
     * - `admin` is an active admin of an active organisation.
     * - `custodians` are at most 16 distinct active organisations; `threshold` is 1..`custodians.length`.
     *
     * Emits {CustodyProposed}, {CustodyApproved} and possibly {CustodyChanged}.
     *
     * @param custodians The custodian organisations: at most 16 distinct active organisations.
     * @param threshold How many of them must release their key shares (1..`custodians.length`).
     * @param admin An admin of an active organisation, who signs the proposal.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     * @return proposalId The new proposal.
     */
    function proposeCustody(
        uint32[] calldata custodians,
        uint8 threshold,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 proposalId);

    /**
     * @dev Records the vote of `approver`'s organisation for custody proposal `proposalId`, and makes it the
     * current configuration, with the next version number, once
     * `approvals * 3 >= activeOrganisationCount * 2`.
     *
     * Requirements:
     *
     * - a valid signature by `approver` of `ApproveCustody`, unused nonce, deadline not passed.
     * - `approver` is an active admin of an active organisation.
     * - `proposalId` is pending: it exists, has not passed, and the custody version it was proposed to
     *   replace is still current.
     * - `approver`'s organisation has not approved `proposalId` yet.
     *
     * Emits {CustodyApproved} and possibly {CustodyChanged}.
     *
     * @param proposalId The proposal (ids run from 1).
     * @param approver The admin who signs the vote for its organisation.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     */
    function approveCustody(
        uint256 proposalId,
        address approver,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @dev Returns the gateway URL of `organisationId` and the address its gateway relays from (zero until
    /// set with {setGateway}).
    /// @param organisationId The organisation asked about.
    /// @return url The gateway's URL.
    /// @return relayer The address the gateway relays from (zero if none).
    function gatewayOf(uint32 organisationId) external view returns (string memory url, address relayer);

    /// @dev Returns the address the gateway of `organisationId` relays from (zero if none): the relayer of
    /// {gatewayOf}, without the URL.
    /// @param organisationId The organisation asked about.
    /// @return The address the gateway relays from (zero if none).
    function gatewayRelayerOf(uint32 organisationId) external view returns (address);

    /// @dev Returns the current custody configuration: no custodians, threshold 0 and version 0 before the
    /// first one is enacted. Versions count enacted configurations from 1.
    /// @return custodians The custodian organisations.
    /// @return threshold How many of them must release their key shares.
    /// @return version The version of the configuration (0 before the first).
    function custody() external view returns (uint32[] memory custodians, uint8 threshold, uint64 version);

    /// @dev Returns custody proposal `proposalId` (all zero if it does not exist).
    /// @param proposalId The proposal (ids run from 1).
    /// @return The proposal (all zero if it does not exist).
    function custodyProposal(uint256 proposalId) external view returns (CustodyProposal memory);

    /// @dev Returns the number of custody proposals; ids run from 1 to this number.
    /// @return The number of custody proposals.
    function custodyProposalCount() external view returns (uint256);

    /// @dev Returns true if `organisationId` has voted for custody proposal `proposalId`.
    /// @param proposalId The proposal (ids run from 1).
    /// @param organisationId The organisation asked about.
    /// @return True if the organisation voted for the proposal.
    function hasApprovedCustody(uint256 proposalId, uint32 organisationId) external view returns (bool);

    /// @dev Returns the organisation `organisationId` (status 0 if it does not exist).
    /// @param organisationId The organisation asked about.
    /// @return The organisation.
    function organisation(uint32 organisationId) external view returns (Organisation memory);

    /// @dev Returns the number of organisations ever proposed; ids run from 1 to this number.
    /// @return The number of organisations ever proposed.
    function organisationCount() external view returns (uint32);

    /// @dev Returns the number of active organisations.
    /// @return The number of active organisations.
    function activeOrganisationCount() external view returns (uint32);

    /// @dev Returns true if `organisationId` is active.
    /// @param organisationId The organisation asked about.
    /// @return True if the organisation is active.
    function isActiveOrganisation(uint32 organisationId) external view returns (bool);

    /// @dev Returns the membership of `account` (organisationId 0 if it is not a member).
    /// @param account The address asked about.
    /// @return The membership.
    function member(address account) external view returns (Member memory);

    /// @dev Returns the registration of `account` as a patient.
    /// @param account The address asked about.
    /// @return The registration.
    function patient(address account) external view returns (Patient memory);

    /// @dev Returns `account`'s patient number (1, 2, ... in the order patients registered; 0 if `account` is
    /// not a registered patient) and the organisation it registered with. A patient number fits where an
    /// address would not: {Records} keeps it in the single storage slot of each anchor.
    /// @param account The address asked about.
    /// @return index The patient number (0 if not a registered patient).
    /// @return organisationId The organisation the patient registered with (possibly 0).
    function patientIndexOf(address account) external view returns (uint32 index, uint32 organisationId);

    /// @dev Returns `account`'s patient number (0 if it is not a registered patient) and the key that signs
    /// for it ({IPatientKeys-signerOf}): what a contract checking a patient's signed action needs, in one call.
    /// @param account The address asked about.
    /// @return index The patient number (0 if not a registered patient).
    /// @return signer The key that signs for the account.
    function patientSigner(address account) external view returns (uint32 index, address signer);

    /// @dev Returns {activeOrganisationOf} `actor` and `patient`'s patient number ({patientIndexOf}), in one
    /// call: what checking a grant of `patient` to `actor` needs.
    /// @param actor The member who wants to act.
    /// @param patient The patient.
    /// @return organisationId The actor's organisation if it is an active member, else 0.
    /// @return patientIndex The patient number (0 if not a registered patient).
    function organisationAndPatientIndex(
        address actor,
        address patient
    ) external view returns (uint32 organisationId, uint32 patientIndex);

    /// @dev Returns the patient whose patient number is `index` (zero if none).
    /// @param index The patient number (from 1).
    /// @return The patient's registered address.
    function patientAt(uint32 index) external view returns (address);

    /// @dev Returns true if `account` is an active member of an active organisation.
    /// @param account The address asked about.
    /// @return True if the account is an active member of an active organisation.
    function isActiveMember(address account) external view returns (bool);

    /// @dev Returns the organisation of `account` if it is an active member of an active organisation, else 0.
    /// @param account The address asked about.
    /// @return The account's organisation, or 0.
    function activeOrganisationOf(address account) external view returns (uint32);

    /// @dev Returns true if `approverOrganisationId` has voted to admit `organisationId`.
    /// @param organisationId The organisation voted on.
    /// @param approverOrganisationId The organisation asked about.
    /// @return True if the organisation voted to admit the other.
    function hasApproved(uint32 organisationId, uint32 approverOrganisationId) external view returns (bool);
}
