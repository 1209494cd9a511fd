// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ISignedActions} from "./ISignedActions.sol";

/**
 * @dev Emergency access ("break the glass"): when a patient cannot consent, a member whom its organisation's
 * admin gave the emergency privilege declares an emergency for the patient, with a reason code and the hash
 * of a justification written off chain. For a window the consortium sets (4 hours unless it decided
 * otherwise) the member may read the patient's emergency set: records of the categories condition (0),
 * medication (1), allergy (2) and emergency (6), of normal sensitivity (0) only. Every emergency then awaits
 * the review of an admin of the member's organisation: justified (1) or unjustified (2); an unjustified
 * verdict ends the access at once.
 *
 * Reason codes are 1 unconscious, 2 cannot consent, 3 life-threatening, 4 other. Verdicts are 0 pending,
 * 1 justified, 2 unjustified.
 */
interface IEmergencies is ISignedActions {
    struct Emergency {
        address member;
        uint32 organisationId;
        uint8 reasonCode;
        uint8 verdict;
        address patient;
        uint64 declaredAt;
        bytes32 justificationHash;
        uint64 expiresAt;
        address reviewer;
        uint64 reviewedAt;
    }

    /**
     * @dev A proposed emergency window of `windowSeconds`. `baseVersion` is the window version the proposal
     * would replace: it can pass only while that version is current. `approvals` counts the organisations
     * that voted for it, its proposer's included.
     */
    struct WindowProposal {
        uint64 windowSeconds;
        uint32 proposerOrganisationId;
        uint32 approvals;
        uint64 baseVersion;
        bool enacted;
    }

    /// @dev The admin `admin` gave (`privileged`) or took away the emergency privilege of `member`.
    /// @param member The member.
    /// @param organisationId The member's organisation.
    /// @param privileged Whether the member may declare emergencies.
    /// @param admin The admin who signed the change.
    event EmergencyPrivilegeSet(address indexed member, uint32 indexed organisationId, bool privileged, address admin);

    /// @dev `member` declared emergency `emergencyId` for `patient`; the justification text stays off chain,
    /// `justificationHash` commits to it. The emergency set is open to `member` until `expiresAt`.
    /// @param emergencyId The emergency (ids run from 1).
    /// @param patient The patient whose records the member may read.
    /// @param member The privileged member who declared it.
    /// @param organisationId The member's organisation.
    /// @param reasonCode The reason of the emergency (1..4).
    /// @param justificationHash The hash of the justification (the text stays off chain).
    /// @param declaredAt The block timestamp of the declaration.
    /// @param expiresAt The block timestamp at which it ends.
    event EmergencyDeclared(
        uint256 indexed emergencyId,
        address indexed patient,
        address indexed member,
        uint32 organisationId,
        uint8 reasonCode,
        bytes32 justificationHash,
        uint64 declaredAt,
        uint64 expiresAt
    );

    /// @dev `reviewer`, an admin of `organisationId`, judged emergency `emergencyId`: `verdict` 1 justified,
    /// 2 unjustified.
    /// @param emergencyId The emergency (ids run from 1).
    /// @param organisationId The declaring member's organisation.
    /// @param reviewer The admin who reviews the emergency.
    /// @param verdict The verdict (1 justified, 2 unjustified).
    event EmergencyReviewed(
        uint256 indexed emergencyId,
        uint32 indexed organisationId,
        address indexed reviewer,
        uint8 verdict
    );

    /// @dev An emergency window of `windowSeconds` was proposed.
    /// @param proposalId The proposal (ids run from 1).
    /// @param windowSeconds The window proposed, in seconds.
    event EmergencyWindowProposed(uint256 indexed proposalId, uint64 windowSeconds);

    /// @dev The active organisation `approverOrganisationId` voted for window proposal `proposalId`, which now
    /// has `approvals` votes (the proposer's organisation votes when it proposes).
    /// @param proposalId The proposal (ids run from 1).
    /// @param approverOrganisationId The organisation that voted.
    /// @param approvals The number of organisations that voted for it so far.
    event EmergencyWindowApproved(uint256 indexed proposalId, uint32 indexed approverOrganisationId, uint32 approvals);

    /// @dev The emergency window `version` of `windowSeconds` applies to emergencies declared from now on.
    /// @param version The version of the new window (from 1).
    /// @param windowSeconds The new window, in seconds.
    event EmergencyWindowChanged(uint64 indexed version, uint64 windowSeconds);

    /// @dev `member` is not a member of any organisation.
    /// @param member The member.
    error EmergenciesUnknownMember(address member);

    /// @dev `member` is not an active member of an active organisation.
    /// @param member The member.
    error EmergenciesNotActiveMember(address member);

    /// @dev `admin` is not an active admin of the active organisation `organisationId` (for a window vote,
    /// the organisation `admin` belongs to, 0 if none).
    /// @param admin The signer that is not an active admin.
    /// @param organisationId The organisation it should be an admin of (0 if none).
    error EmergenciesNotActiveAdmin(address admin, uint32 organisationId);

    /// @dev The emergency privilege of `member` is already `privileged`.
    /// @param member The member.
    /// @param privileged The privilege the member already has.
    error EmergenciesPrivilegeAlreadySet(address member, bool privileged);

    /// @dev `member` does not hold the emergency privilege.
    /// @param member The member.
    error EmergenciesNotPrivileged(address member);

    /// @dev `patient` is not a registered patient.
    /// @param patient The patient (its registered address).
    error EmergenciesUnknownPatient(address patient);

    /// @dev `reasonCode` is not one of 1..4.
    /// @param reasonCode The reason given.
    error EmergenciesInvalidReason(uint8 reasonCode);

    /// @dev The justification hash is zero: an emergency needs a justification.
    error EmergenciesEmptyJustification();

    /// @dev The same member's emergency `emergencyId` for the same patient is open until `expiresAt`; a new
    /// declaration would extend the window beyond the consortium's.
    /// @param emergencyId The emergency still open.
    /// @param expiresAt The block timestamp at which it ends.
    error EmergenciesAlreadyActive(uint256 emergencyId, uint64 expiresAt);

    /// @dev `emergencyId` does not exist.
    /// @param emergencyId The emergency (ids run from 1).
    error EmergenciesUnknownEmergency(uint256 emergencyId);

    /// @dev `reviewer` declared emergency `emergencyId` and may not judge it.
    /// @param emergencyId The emergency (ids run from 1).
    /// @param reviewer The reviewer, who declared the emergency itself.
    error EmergenciesSelfReview(uint256 emergencyId, address reviewer);

    /// @dev `verdict` is not 1 (justified) or 2 (unjustified).
    /// @param verdict The verdict given.
    error EmergenciesInvalidVerdict(uint8 verdict);

    /// @dev `emergencyId` was already judged `verdict`.
    /// @param emergencyId The emergency (ids run from 1).
    /// @param verdict The verdict it already has.
    error EmergenciesAlreadyReviewed(uint256 emergencyId, uint8 verdict);

    /// @dev `windowSeconds` is outside 5 minutes..24 hours.
    /// @param windowSeconds The window given, in seconds.
    error EmergenciesInvalidWindow(uint64 windowSeconds);

    /// @dev Window proposal `proposalId` does not exist, has passed, or was overtaken by another window.
    /// @param proposalId The proposal (ids run from 1).
    error EmergenciesWindowProposalNotPending(uint256 proposalId);

    /// @dev Window proposal `proposalId` has already been approved by `approverOrganisationId`.
    /// @param proposalId The proposal (ids run from 1).
    /// @param approverOrganisationId The organisation that voted.
    error EmergenciesWindowAlreadyApproved(uint256 proposalId, uint32 approverOrganisationId);

    /**
     * @dev Gives `member` the emergency privilege (`privileged` true) or takes it away.
     *
     * Requirements:
     *
     * - a valid signature by `admin` of `SetEmergencyPrivilege`, unused nonce, deadline not passed.
     * - `member` is a member; `admin` is an active admin of `member`'s organisation, which is active.
     * - the privilege changes; when giving it, `member` is active.
     *
     * Emits {EmergencyPrivilegeSet}.
     *
     * @param member The member whose privilege changes.
     * @param privileged Whether the member may declare emergencies.
     * @param admin An admin of the member's organisation, who signs the action.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     */
    function setEmergencyPrivilege(
        address member,
        bool privileged,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Declares an emergency: opens `patient`'s emergency set to `member` for the current window.
     *
     * Requirements:
     *
     * - a valid signature by `member` of `DeclareEmergency`, unused nonce, deadline not passed.
     * - `member` is an active member holding the emergency privilege.
     * - `patient` is registered; `reasonCode` is 1..4; `justificationHash` is not zero.
     * - `member` has no emergency for `patient` still open (see {activeEmergency}).
     *
     * Emits {EmergencyDeclared}.
     *
     * @param member The privileged member, who signs the declaration.
     * @param patient The patient whose records the member needs.
     * @param reasonCode The reason of the emergency (1..4).
     * @param justificationHash The hash of the justification (the text stays off chain).
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     * @return emergencyId The new emergency.
     */
    function declareEmergency(
        address member,
        address patient,
        uint8 reasonCode,
        bytes32 justificationHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 emergencyId);

    /**
     * @dev Judges emergency `emergencyId`: justified (1) or unjustified (2, which closes its access at once).
     *
     * Requirements:
     *
     * - a valid signature by `reviewer` of `ReviewEmergency`, unused nonce, deadline not passed.
     * - `emergencyId` exists and is not judged yet.
     * - `reviewer` is an active admin of the emergency's organisation, and did not declare it.
     * - `verdict` is 1 or 2.
     *
     * Emits {EmergencyReviewed}.
     *
     * @param emergencyId The emergency (ids run from 1).
     * @param verdict The verdict (1 justified, 2 unjustified).
     * @param reviewer An admin of the declaring member's organisation (not the member), who signs the review.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     */
    function reviewEmergency(
        uint256 emergencyId,
        uint8 verdict,
        address reviewer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Proposes an emergency window of `windowSeconds` for emergencies declared from its enactment on.
     * The proposer's organisation approves it at once, which enacts it when that alone is two thirds of the
     * active organisations.
     *
     * Requirements:
     *
     * - a valid signature by `admin` of `ProposeEmergencyWindow`, unused nonce, deadline not passed.
     * - `admin` is an active admin of an active organisation.
     * - `windowSeconds` is 5 minutes..24 hours.
     *
     * Emits {EmergencyWindowProposed}, {EmergencyWindowApproved} and possibly {EmergencyWindowChanged}.
     *
     * @param windowSeconds The window proposed, in seconds (5 minutes..24 hours).
     * @param admin An admin of an active organisation, who signs the proposal.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     * @return proposalId The new proposal.
     */
    function proposeEmergencyWindow(
        uint64 windowSeconds,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 proposalId);

    /**
     * @dev Records the vote of `approver`'s organisation for window proposal `proposalId`, and enacts it once
     * `approvals * 3 >= activeOrganisationCount * 2`.
     *
     * Requirements:
     *
     * - a valid signature by `approver` of `ApproveEmergencyWindow`, unused nonce, deadline not passed.
     * - `approver` is an active admin of an active organisation.
     * - `proposalId` is pending: it exists, has not passed, and the window it would replace is still current.
     * - `approver`'s organisation has not approved `proposalId` yet.
     *
     * Emits {EmergencyWindowApproved} and possibly {EmergencyWindowChanged}.
     *
     * @param proposalId The proposal (ids run from 1).
     * @param approver The admin who signs the vote for its organisation.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     */
    function approveEmergencyWindow(
        uint256 proposalId,
        address approver,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @dev Returns emergency `emergencyId` (member 0 if it does not exist).
    /// @param emergencyId The emergency (ids run from 1).
    /// @return The emergency (all zero if it does not exist).
    function emergencyOf(uint256 emergencyId) external view returns (Emergency memory);

    /// @dev Returns the number of emergencies; ids run from 1 to this number.
    /// @return The number of emergencies declared.
    function emergencyCount() external view returns (uint256);

    /// @dev Returns true if `member` holds the emergency privilege (whether or not it is active).
    /// @param member The member asked about.
    /// @return True if the member may declare emergencies.
    function isEmergencyPrivileged(address member) external view returns (bool);

    /// @dev Returns the emergency of `member` for `patient` that is open now (declared, not expired, not
    /// judged unjustified); 0 if none.
    /// @param member The member asked about.
    /// @param patient The patient asked about.
    /// @return The open emergency, 0 if none.
    function activeEmergency(address member, address patient) external view returns (uint256);

    /**
     * @dev Returns the open emergency that lets `actor` perform `action` on `patient`'s records of `category`
     * and `sensitivity` now, 0 if none: `action` is read (1), the category is in the emergency set, the
     * sensitivity normal, and `actor` is an active member still holding the privilege.
     *
     * @param actor The member who wants to read.
     * @param patient The patient (its registered address).
     * @param category The record category (0..11).
     * @param sensitivity The record sensitivity (0 normal, 1 restricted).
     * @param action The single action wanted (1 read, 2 append, 4 share).
     * @return The emergency that authorises the read, 0 if none.
     */
    function authorisingEmergency(
        address actor,
        address patient,
        uint8 category,
        uint8 sensitivity,
        uint8 action
    ) external view returns (uint256);

    /// @dev Returns the category bitmask of the emergency set.
    /// @return The categories, as a bitmask (bit i = category i).
    function emergencyCategories() external pure returns (uint32);

    /// @dev Returns the current emergency window and its version (0: the default of 4 hours).
    /// @return windowSeconds The window, in seconds.
    /// @return version Its version (0 for the default window).
    function emergencyWindow() external view returns (uint64 windowSeconds, uint64 version);

    /// @dev Returns window proposal `proposalId` (all zero if it does not exist).
    /// @param proposalId The proposal (ids run from 1).
    /// @return The proposal (all zero if it does not exist).
    function windowProposal(uint256 proposalId) external view returns (WindowProposal memory);

    /// @dev Returns the number of window proposals; ids run from 1 to this number.
    /// @return The number of window proposals.
    function windowProposalCount() external view returns (uint256);

    /// @dev Returns true if `organisationId` has voted for window proposal `proposalId`.
    /// @param proposalId The proposal (ids run from 1).
    /// @param organisationId The organisation asked about.
    /// @return True if the organisation voted for the proposal.
    function hasApprovedWindow(uint256 proposalId, uint32 organisationId) external view returns (bool);

    /// @dev Returns the consortium whose members, admins and patients this contract trusts.
    /// @return The address of the Consortium contract this contract reads.
    function consortium() external view returns (address);
}
