// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IRecords} from "./IRecords.sol";
import {ISignedActions} from "./ISignedActions.sol";

/**
 * @dev Multi-signature stamps on anchored records (seed 002): co-signatures and the per-category policies
 * that say which co-signatures make a record final.
 *
 * A co-signature is an EIP-712 `CoSignature(recordId, contentDigest, signer)` signed by the co-signer. It may
 * be added by the record's patient, or by an active member of an active organisation who may read the record
 * now (a grant in force covering reading its category and sensitivity). Each signer co-signs a record once;
 * the author has signed the record itself when it was anchored, and that signature counts for the author's
 * role, so the author cannot co-sign again.
 *
 * A policy, decided per category by two thirds of the active organisations, lists requirements (`count`
 * signers of member role `role`, of the author's organisation if `sameOrganisation`; each role at most once)
 * and whether the patient must sign. A record is judged by the policy of its category enacted before the
 * block that anchored it (policy version 0, none, makes a record final at once), so a later policy never
 * changes the status of records anchored before it, and a record, once final, stays final. Members' roles and
 * organisations never change on chain, so a signature keeps counting after its signer is suspended.
 *
 * Every error of {coSignRecords} names the offending record and signer, so a relayer can drop that
 * co-signature and resend the rest. Member roles are 1 doctor, 2 nurse, 3 lab, 4 pharmacist, 5 insurer,
 * 6 admin; in events, role 0 is the patient.
 */
interface ICoSignatures is ISignedActions {
    /// @dev `count` signers of member role `role`, of the record author's organisation if `sameOrganisation`.
    struct Requirement {
        uint8 role;
        uint8 count;
        bool sameOrganisation;
    }

    /// @dev A version of a category's policy, enacted at `enactedAt` (block timestamp).
    struct Policy {
        Requirement[] requirements;
        bool patient;
        uint64 enactedAt;
    }

    /// @dev A co-signature to add: the anchored record's signed fields (checked against its anchored leaf),
    /// the co-signer, the grant that lets a member co-signer read the record (0 for the patient), and the
    /// co-signer's signature of the typed `CoSignature`.
    struct CoSignatureInput {
        IRecords.Record record;
        address signer;
        uint256 grantId;
        bytes signature;
    }

    /// @dev A proposed policy for `category`. It can pass only while the category's policy version is still
    /// `baseVersion`. `approvals` counts the organisations that voted for it, its proposer's included.
    struct PolicyProposal {
        uint8 category;
        Requirement[] requirements;
        bool patient;
        uint32 proposerOrganisationId;
        uint32 approvals;
        uint64 baseVersion;
        bool enacted;
    }

    /// @dev What the chain says of a record's stamp: whether it is final, the version of the policy it is
    /// judged by (0: none), and its co-signers in the order they signed (the author not included).
    struct Stamp {
        bool finalised;
        uint64 policyVersion;
        address[] coSigners;
    }

    /// @dev `signer` (member `role` of `organisationId`, or role 0 and the patient's organisation for the
    /// patient) co-signed `recordId`; `finalised` tells whether the record is final from now on.
    /// @param recordId The record.
    /// @param patient The record's patient.
    /// @param signer The co-signer.
    /// @param role The member role of the co-signer (0 for the patient).
    /// @param organisationId The co-signer's organisation (for the patient, its organisation, possibly 0).
    /// @param finalised Whether the record is final from now on.
    event RecordCoSigned(
        bytes32 indexed recordId,
        address indexed patient,
        address indexed signer,
        uint8 role,
        uint32 organisationId,
        bool finalised
    );

    /// @dev A policy for `category` was proposed.
    /// @param proposalId The proposal (ids run from 1).
    /// @param category The record category (0..15).
    /// @param requirements The requirements of the policy, each for a distinct role.
    /// @param patient Whether the record's patient must co-sign.
    event PolicyProposed(uint256 indexed proposalId, uint8 indexed category, Requirement[] requirements, bool patient);

    /// @dev The active organisation `approverOrganisationId` voted for policy proposal `proposalId`, which now
    /// has `approvals` votes (the proposer's organisation votes when it proposes).
    /// @param proposalId The proposal (ids run from 1).
    /// @param approverOrganisationId The organisation that voted.
    /// @param approvals The number of organisations that voted for it so far.
    event PolicyApproved(uint256 indexed proposalId, uint32 indexed approverOrganisationId, uint32 approvals);

    /// @dev The policy `version` of `category` was enacted; it applies to records anchored after this block.
    /// @param category The record category (0..15).
    /// @param version The policy's new version for the category (from 1).
    /// @param requirements The requirements of the policy, each for a distinct role.
    /// @param patient Whether the record's patient must co-sign.
    event PolicyChanged(uint8 indexed category, uint64 version, Requirement[] requirements, bool patient);

    /// @dev The batch is empty.
    error CoSignaturesEmptyBatch();

    /// @dev `recordId` is not anchored.
    /// @param recordId The record.
    /// @param signer The co-signer (zero when reading a stamp).
    error CoSignaturesUnknownRecord(bytes32 recordId, address signer);

    /// @dev The record fields given for `recordId` do not hash to its anchored leaf.
    /// @param recordId The record.
    /// @param signer The co-signer.
    error CoSignaturesRecordMismatch(bytes32 recordId, address signer);

    /// @dev The signature is not `signer`'s signature of the typed `CoSignature` of `recordId`.
    /// @param recordId The record.
    /// @param signer The co-signer.
    error CoSignaturesInvalidSignature(bytes32 recordId, address signer);

    /// @dev `signer` has already signed `recordId` (as its author, or with an earlier co-signature).
    /// @param recordId The record.
    /// @param signer The co-signer.
    error CoSignaturesAlreadySigned(bytes32 recordId, address signer);

    /// @dev `signer` is neither the record's patient nor an active member of an active organisation.
    /// @param recordId The record.
    /// @param signer The co-signer.
    error CoSignaturesNotActiveMember(bytes32 recordId, address signer);

    /// @dev Grant `grantId` does not let the member `signer` read `recordId` now.
    /// @param recordId The record.
    /// @param signer The co-signer.
    /// @param grantId The grant given as authorising the co-signer.
    error CoSignaturesNotAuthorised(bytes32 recordId, address signer, uint256 grantId);

    /// @dev `recordId` already has the largest number of co-signers allowed (16).
    /// @param recordId The record.
    /// @param signer The co-signer.
    error CoSignaturesTooManySigners(bytes32 recordId, address signer);

    /// @dev `admin` is not an active admin of an active organisation.
    /// @param admin The signer that is not an active admin of an active organisation.
    error CoSignaturesNotActiveAdmin(address admin);

    /// @dev `category` is not a category (0..`Vocabulary.CATEGORY_COUNT - 1`).
    /// @param category The category given.
    error CoSignaturesInvalidCategory(uint8 category);

    /// @dev A requirement names `role`, which is not a member role (1..6).
    /// @param role The role given.
    error CoSignaturesInvalidRole(uint8 role);

    /// @dev A requirement for `role` asks for `count` signers: 0, or more than 16.
    /// @param role The role of the requirement.
    /// @param count The number of signers required.
    error CoSignaturesInvalidCount(uint8 role, uint8 count);

    /// @dev A policy names `role` in more than one requirement.
    /// @param role The role named twice.
    error CoSignaturesDuplicateRole(uint8 role);

    /// @dev `category` has no policy version `version`.
    /// @param category The record category (0..15).
    /// @param version The version asked for.
    error CoSignaturesUnknownPolicy(uint8 category, uint64 version);

    /// @dev Policy proposal `proposalId` does not exist, has passed, or was overtaken by another policy of its
    /// category (its `baseVersion` is no longer current).
    /// @param proposalId The proposal (ids run from 1).
    error CoSignaturesProposalNotPending(uint256 proposalId);

    /// @dev Policy proposal `proposalId` has already been approved by `approverOrganisationId`.
    /// @param proposalId The proposal (ids run from 1).
    /// @param approverOrganisationId The organisation that voted.
    error CoSignaturesAlreadyApproved(uint256 proposalId, uint32 approverOrganisationId);

    /**
     * @dev Adds a batch of co-signatures, all or none.
     *
     * Requirements, for each co-signature:
     *
     * - the record is anchored and its fields hash to the anchored leaf.
     * - the signature is `signer`'s signature of the typed `CoSignature` (ECDSA rejecting malleable
     *   signatures, or ERC-1271).
     * - `signer` is not the record's author and has not co-signed it yet (also earlier in the batch).
     * - `signer` is the record's patient, or an active member of an active organisation for whom grant
     *   `grantId` of the patient is in force and covers reading a record of this category and sensitivity.
     * - the record has fewer than 16 co-signers.
     *
     * Emits {RecordCoSigned} for each co-signature.
     *
     * @param coSignatures The co-signatures to add (at least one).
     */
    function coSignRecords(CoSignatureInput[] calldata coSignatures) external;

    /**
     * @dev Proposes the policy of `category`: `requirements` (each member role at most once) and whether the
     * patient must co-sign. An empty policy (no requirement, no patient) makes records final at once. The
     * proposer's organisation approves it at once, which enacts it when that alone is two thirds of the
     * active organisations.
     *
     * Requirements:
     *
     * - a valid signature by `admin` of `ProposePolicy`, unused nonce, deadline not passed.
     * - `admin` is an active admin of an active organisation.
     * - `category` is 0..15; each requirement's role is 1..6, distinct, and its count 1..16.
     *
     * Emits {PolicyProposed}, {PolicyApproved} and possibly {PolicyChanged}.
     *
     * @param category The record category the policy is for (0..15).
     * @param requirements The requirements of the policy, each for a distinct role.
     * @param patient Whether the record's patient must co-sign.
     * @param admin An admin of an active organisation, who signs the proposal.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     * @return proposalId The new proposal.
     */
    function proposePolicy(
        uint8 category,
        Requirement[] calldata requirements,
        bool patient,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 proposalId);

    /**
     * @dev Records the vote of `approver`'s organisation for policy proposal `proposalId`, and enacts it, as
     * the next version of its category's policy, once `approvals * 3 >= activeOrganisationCount * 2`.
     *
     * Requirements:
     *
     * - a valid signature by `approver` of `ApprovePolicy`, unused nonce, deadline not passed.
     * - `approver` is an active admin of an active organisation.
     * - `proposalId` is pending: it exists, has not passed, and its category's policy version is still the one
     *   it was proposed to replace.
     * - `approver`'s organisation has not approved `proposalId` yet.
     *
     * Emits {PolicyApproved} and possibly {PolicyChanged}.
     *
     * @param proposalId The proposal (ids run from 1).
     * @param approver The admin who signs the vote for its organisation.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     */
    function approvePolicy(
        uint256 proposalId,
        address approver,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @dev Returns the current policy of `category` and its version (0 and an empty policy if none).
    /// @param category The record category (0..15).
    /// @return current The current policy of the category (empty if none).
    /// @return version Its version (0 if none).
    function policy(uint8 category) external view returns (Policy memory current, uint64 version);

    /**
     * @dev Returns the version `version` of `category`'s policy.
     *
     * Requirements:
     *
     * - `version` is 1..the current version of `category`.
     *
     * @param category The record category (0..15).
     * @param version The version of the policy (1..the current version).
     * @return The policy.
     */
    function policyAt(uint8 category, uint64 version) external view returns (Policy memory);

    /**
     * @dev Returns the stamp of an anchored record: final or draft, the policy version it is judged by, and its
     * co-signers.
     *
     * Requirements:
     *
     * - `record` is anchored and its fields hash to its anchored leaf (else the errors of {coSignRecords}, with
     *   a zero signer).
     *
     * @param record The record's signed fields.
     * @return The record's stamp.
     */
    function stampOf(IRecords.Record calldata record) external view returns (Stamp memory);

    /// @dev Returns the co-signers of `recordId`, in the order they signed (the author not included).
    /// @param recordId The record.
    /// @return The co-signers, in the order they signed.
    function coSignersOf(bytes32 recordId) external view returns (address[] memory);

    /// @dev Returns true if `signer` has co-signed `recordId`.
    /// @param recordId The record.
    /// @param signer The co-signer asked about.
    /// @return True if the signer co-signed the record.
    function hasCoSigned(bytes32 recordId, address signer) external view returns (bool);

    /// @dev Returns the EIP-712 struct hash of the co-signature of `recordId` with `contentDigest` by `signer`.
    /// @param recordId The record.
    /// @param contentDigest The digest of the record's encrypted content.
    /// @param signer The co-signer.
    /// @return The EIP-712 struct hash.
    function coSignatureHash(bytes32 recordId, bytes32 contentDigest, address signer) external pure returns (bytes32);

    /// @dev Returns policy proposal `proposalId` (all zero if it does not exist).
    /// @param proposalId The proposal (ids run from 1).
    /// @return The proposal (all zero if it does not exist).
    function policyProposal(uint256 proposalId) external view returns (PolicyProposal memory);

    /// @dev Returns the number of policy proposals; ids run from 1 to this number.
    /// @return The number of policy proposals.
    function policyProposalCount() external view returns (uint256);

    /// @dev Returns true if `organisationId` has voted for policy proposal `proposalId`.
    /// @param proposalId The proposal (ids run from 1).
    /// @param organisationId The organisation asked about.
    /// @return True if the organisation voted for the proposal.
    function hasApprovedPolicy(uint256 proposalId, uint32 organisationId) external view returns (bool);
}
