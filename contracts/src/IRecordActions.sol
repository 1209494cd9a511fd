// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IRecords} from "./IRecords.sol";
import {ISignedActions} from "./ISignedActions.sol";

/**
 * @dev What may happen to an anchored record after it was written: erasure (crypto-shredding: the chain says
 * the record is erased, and every gateway then destroys its copies of the ciphertext and its key shares), soft
 * deletion (hidden, kept until a retention date, then erased), and derivations (a copy for another
 * organisation, a duplicate, a move to another patient). The anchor in {IRecords} is never touched: the
 * history stays verifiable, only the content goes.
 *
 * The chain keeps the low 184 bits of a record's leaf, not its fields, so every action on a record takes the
 * record's signed fields ({IRecords-Record}) and checks them with {IRecords-anchorTimeOf}: the patient, the
 * author, the category and the sensitivity are then the anchored ones.
 *
 * Erasure reasons are 1 the patient's request (right to erasure), 2 entered in error (by an admin of the
 * author's organisation, within the consortium's author erasure window), 3 moved (only through {derive}
 * kind move), 4 retention ended (only through {finaliseRetention}). Derivation kinds are 1 copy, 2 duplicate,
 * 3 move.
 *
 * Every error about a record names it.
 */
interface IRecordActions is ISignedActions {
    /// @dev `by` erases record `recordId` for `reason` (1 patient's request, 2 entered in error).
    struct Erasure {
        bytes32 recordId;
        address by;
        uint8 reason;
        uint256 nonce;
        uint256 deadline;
    }

    /// @dev `by` hides (soft-deletes) record `recordId`; it may be erased by anyone once `retainUntil` (unix
    /// seconds) passed, 0 for no end of retention.
    struct Hide {
        bytes32 recordId;
        address by;
        uint64 retainUntil;
        uint256 nonce;
        uint256 deadline;
    }

    /// @dev The patient `by` shows its hidden record `recordId` again.
    struct Unhide {
        bytes32 recordId;
        address by;
        uint256 nonce;
        uint256 deadline;
    }

    /// @dev `by` derives the record `newRecordId` from `sourceId`: kind 1 copy (for the organisation
    /// `toOrganisation`), 2 duplicate, 3 move (to another patient; the source is erased). `toOrganisation` is 0
    /// but for a copy.
    struct Derivation {
        uint8 kind;
        bytes32 sourceId;
        bytes32 newRecordId;
        address by;
        uint32 toOrganisation;
        uint256 nonce;
        uint256 deadline;
    }

    /**
     * @dev A proposed author erasure window of `windowSeconds`. `baseVersion` is the window version the
     * proposal would replace: it can pass only while that version is current. `approvals` counts the
     * organisations that voted for it, its proposer's included.
     */
    struct WindowProposal {
        uint64 windowSeconds;
        uint32 proposerOrganisationId;
        uint32 approvals;
        uint64 baseVersion;
        bool enacted;
    }

    /// @dev Record `recordId` of `patient` was erased by `by` for `reason`: its content and keys are to be
    /// destroyed everywhere; its anchor stays.
    /// @param recordId The record.
    /// @param patient The record's patient.
    /// @param by Who erased it (for retention ended, who hid it).
    /// @param reason The reason (1 patient's request, 2 entered in error, 3 moved, 4 retention ended).
    event RecordErased(bytes32 indexed recordId, address indexed patient, address indexed by, uint8 reason);

    /// @dev Record `recordId` of `patient` was hidden by `by` until it is erased after `retainUntil`.
    /// @param recordId The record.
    /// @param patient The record's patient.
    /// @param by The patient or the admin who hid it.
    /// @param retainUntil When it may be erased (unix seconds; 0 for never by retention).
    event RecordHidden(bytes32 indexed recordId, address indexed patient, address indexed by, uint64 retainUntil);

    /// @dev The patient shows its hidden record `recordId` again.
    /// @param recordId The record.
    /// @param patient The record's patient, who signed.
    event RecordUnhidden(bytes32 indexed recordId, address indexed patient);

    /// @dev `by` derived `newRecordId` from `sourceId` (kind 1 copy, 2 duplicate, 3 move).
    /// @param kind The derivation kind.
    /// @param sourceId The source record.
    /// @param newRecordId The new record, anchored in the same transaction.
    /// @param by Who signed the derivation.
    /// @param toOrganisation For a copy, the organisation whose members may read it (else 0).
    event RecordDerived(
        uint8 kind,
        bytes32 indexed sourceId,
        bytes32 indexed newRecordId,
        address indexed by,
        uint32 toOrganisation
    );

    /// @dev An author erasure window of `windowSeconds` was proposed.
    /// @param proposalId The proposal (ids run from 1).
    /// @param windowSeconds The window proposed, in seconds (0: no author erasure).
    event AuthorErasureWindowProposed(uint256 indexed proposalId, uint64 windowSeconds);

    /// @dev The active organisation `approverOrganisationId` voted for window proposal `proposalId`, which now
    /// has `approvals` votes (the proposer's organisation votes when it proposes).
    /// @param proposalId The proposal.
    /// @param approverOrganisationId The organisation that voted.
    /// @param approvals The number of organisations that voted for it so far.
    event AuthorErasureWindowApproved(
        uint256 indexed proposalId,
        uint32 indexed approverOrganisationId,
        uint32 approvals
    );

    /// @dev The author erasure window `version` of `windowSeconds` applies from now on.
    /// @param version The version of the new window (from 1).
    /// @param windowSeconds The new window, in seconds (0: no author erasure).
    event AuthorErasureWindowChanged(uint64 indexed version, uint64 windowSeconds);

    /// @dev A batch is empty, or its arrays differ in length.
    /// @param length The number of actions.
    /// @param records The number of records given.
    /// @param signatures The number of signatures given.
    error RecordActionsInvalidBatch(uint256 length, uint256 records, uint256 signatures);

    /// @dev `recordId` is not anchored.
    /// @param recordId The record.
    error RecordActionsNotAnchored(bytes32 recordId);

    /// @dev The record fields given are not those anchored as `recordId`, or name another record than the
    /// action.
    /// @param recordId The record the action names.
    error RecordActionsRecordMismatch(bytes32 recordId);

    /// @dev `recordId` was erased at `erasedAt`.
    /// @param recordId The record.
    /// @param erasedAt When it was erased (block timestamp).
    error RecordActionsAlreadyErased(bytes32 recordId, uint64 erasedAt);

    /// @dev `reason` is not an erasure reason this function takes (erase: 1 or 2).
    /// @param recordId The record.
    /// @param reason The reason given.
    error RecordActionsInvalidReason(bytes32 recordId, uint8 reason);

    /// @dev `by` may not do this to `recordId` (see each function's requirements).
    /// @param recordId The record.
    /// @param by The signer.
    error RecordActionsNotAuthorised(bytes32 recordId, address by);

    /// @dev The author's organisation may no longer erase `recordId`: it was anchored at `anchoredAt` and the
    /// author erasure window is `windowSeconds` (0: not allowed at all).
    /// @param recordId The record.
    /// @param anchoredAt When it was anchored.
    /// @param windowSeconds The consortium's author erasure window.
    error RecordActionsErasureWindowClosed(bytes32 recordId, uint64 anchoredAt, uint64 windowSeconds);

    /// @dev `recordId` is already hidden, until `retainUntil`.
    /// @param recordId The record.
    /// @param retainUntil Its retention end (0: none).
    error RecordActionsAlreadyHidden(bytes32 recordId, uint64 retainUntil);

    /// @dev `recordId` is not hidden.
    /// @param recordId The record.
    error RecordActionsNotHidden(bytes32 recordId);

    /// @dev A retention end in the past (0 stands for none).
    /// @param recordId The record.
    /// @param retainUntil The retention end given.
    error RecordActionsInvalidRetention(bytes32 recordId, uint64 retainUntil);

    /// @dev The retention of hidden `recordId` ended at `retainUntil`: it can no longer be shown again.
    /// @param recordId The record.
    /// @param retainUntil Its retention end.
    error RecordActionsRetentionEnded(bytes32 recordId, uint64 retainUntil);

    /// @dev The retention of hidden `recordId` has not ended (`retainUntil` 0: it has none).
    /// @param recordId The record.
    /// @param retainUntil Its retention end.
    error RecordActionsRetentionNotEnded(bytes32 recordId, uint64 retainUntil);

    /// @dev `kind` is not 1 (copy), 2 (duplicate) or 3 (move).
    /// @param sourceId The source record.
    /// @param kind The kind given.
    error RecordActionsInvalidKind(bytes32 sourceId, uint8 kind);

    /// @dev `toOrganisation` is not an active organisation (copy), or not 0 (duplicate, move).
    /// @param sourceId The source record.
    /// @param toOrganisation The organisation given.
    error RecordActionsInvalidOrganisation(bytes32 sourceId, uint32 toOrganisation);

    /// @dev The new record does not fit the derivation: its id is not `newRecordId`, or its patient is not the
    /// source's (copy, duplicate) or is the source's (move).
    /// @param sourceId The source record.
    /// @param newRecordId The new record's id (as the derivation names it).
    error RecordActionsInvalidDerivedRecord(bytes32 sourceId, bytes32 newRecordId);

    /// @dev `admin` is not an active admin of an active organisation (`organisationId`, 0 if none).
    /// @param admin The signer.
    /// @param organisationId The organisation it belongs to (0 if none).
    error RecordActionsNotActiveAdmin(address admin, uint32 organisationId);

    /// @dev `windowSeconds` is longer than the longest author erasure window (90 days).
    /// @param windowSeconds The window given.
    error RecordActionsInvalidWindow(uint64 windowSeconds);

    /// @dev Window proposal `proposalId` does not exist, was enacted, or was overtaken by a newer window.
    /// @param proposalId The proposal.
    error RecordActionsWindowProposalNotPending(uint256 proposalId);

    /// @dev `organisationId` already voted for window proposal `proposalId`.
    /// @param proposalId The proposal.
    /// @param organisationId The organisation.
    error RecordActionsWindowAlreadyApproved(uint256 proposalId, uint32 organisationId);

    /**
     * @dev Erases a batch of records (a whole chart in a few transactions), all or none. Each erasure is
     * signed by its `by` (typed `Erasure`; a patient with its current key). An erasure cannot happen twice,
     * so its nonce is signed but not spent (a replay reverts with {RecordActionsAlreadyErased}).
     *
     * Requirements, for each erasure `i`:
     *
     * - `records[i]` are the anchored fields of `erasures[i].recordId` (`RecordActionsNotAnchored`,
     *   `RecordActionsRecordMismatch`).
     * - the record is not erased.
     * - `deadline` not passed; `signatures[i]` is `by`'s.
     * - reason 1: `by` is the record's patient. Reason 2: `by` is an active admin of the active organisation
     *   of the record's author, and the record was anchored at most {authorErasureWindow} seconds ago (a
     *   window of 0 allows none). Other reasons revert.
     *
     * Emits {RecordErased} for each record.
     *
     * @param erasures The erasures.
     * @param records The erased records' signed fields, in the same order.
     * @param signatures The signers' signatures of the erasures, in the same order.
     */
    function erase(
        Erasure[] calldata erasures,
        IRecords.Record[] calldata records,
        bytes[] calldata signatures
    ) external;

    /**
     * @dev Hides (soft-deletes) `record`: gateways leave it out of lists; it can be shown again by its patient
     * until `retainUntil`, after which {finaliseRetention} erases it.
     *
     * Requirements:
     *
     * - `record` is anchored as `action.recordId`, not erased, not hidden.
     * - `deadline` not passed, nonce unused, `signature` is `by`'s (a patient's current key).
     * - `by` is the record's patient or an active admin of the active organisation of the record's author.
     * - `retainUntil` is 0 or not in the past.
     *
     * Emits {RecordHidden}.
     *
     * @param action The hiding.
     * @param record The record's signed fields.
     * @param signature The signature of `action.by`.
     */
    function hide(Hide calldata action, IRecords.Record calldata record, bytes calldata signature) external;

    /**
     * @dev Shows hidden record `action.recordId` again.
     *
     * Requirements:
     *
     * - the record is hidden (not erased); its retention has not ended.
     * - `by` is its patient; `deadline` not passed, nonce unused, `signature` the patient's current key's.
     *
     * Emits {RecordUnhidden}.
     *
     * @param action The unhiding.
     * @param signature The patient's signature.
     */
    function unhide(Unhide calldata action, bytes calldata signature) external;

    /**
     * @dev Erases, for reason 4 (retention ended), hidden records whose retention ended. Anyone may call it
     * (gateways do, periodically); the erasures' `by` is who hid each record.
     *
     * Requirements, for each record: hidden (`RecordActionsNotHidden`, also if erased) with a retention end
     * in the past (`RecordActionsRetentionNotEnded`).
     *
     * Emits {RecordErased} for each record.
     *
     * @param recordIds The records (at least one).
     */
    function finaliseRetention(bytes32[] calldata recordIds) external;

    /**
     * @dev Derives a new record from `source` and anchors it through {IRecords-anchorRecords} in the same
     * transaction (Records checks its author's signature and append grant).
     *
     * Requirements:
     *
     * - `source` is anchored as `derivation.sourceId` and not erased; `newRecord`'s id is `newRecordId`.
     * - `deadline` not passed, nonce unused, `signature` is `by`'s (a patient's current key).
     * - copy (1): `by` is the source's patient, or grant `grantId` lets `by` share (action 4) the source's
     *   category and sensitivity; the new record is the same patient's; `toOrganisation` an active
     *   organisation.
     * - duplicate (2): `by` is the source's patient, or grant `grantId` lets `by` read the source; the new
     *   record is the same patient's; `toOrganisation` 0.
     * - move (3): `by` is the source's author (an active member) or an active admin of its organisation; the
     *   new record is another patient's; `toOrganisation` 0. The source is erased (reason 3).
     * - the new record can be anchored.
     *
     * Emits {RecordDerived}, {RecordErased} for a move, then the new record's {IRecords-RecordAnchored}.
     *
     * @param derivation The derivation.
     * @param signature The signature of `derivation.by`.
     * @param source The source record's signed fields.
     * @param grantId The grant `by` shares (copy) or reads (duplicate) the source by; ignored otherwise.
     * @param newRecord The new record, with its author's signature and append grant.
     */
    function derive(
        Derivation calldata derivation,
        bytes calldata signature,
        IRecords.Record calldata source,
        uint256 grantId,
        IRecords.RecordInput calldata newRecord
    ) external;

    /**
     * @dev Proposes an author erasure window of `windowSeconds` (0 turns author erasure off), signed by
     * `admin` (typed `ProposeAuthorErasureWindow`); its organisation votes for it.
     *
     * Requirements: `admin` an active admin of an active organisation; `windowSeconds` at most 90 days.
     *
     * Emits {AuthorErasureWindowProposed}, {AuthorErasureWindowApproved}, and {AuthorErasureWindowChanged} if
     * two thirds of the active organisations voted.
     *
     * @param windowSeconds The window proposed.
     * @param admin The proposing admin.
     * @param nonce The admin's nonce.
     * @param deadline The last second the action is valid.
     * @param signature The admin's signature.
     * @return proposalId The proposal.
     */
    function proposeAuthorErasureWindow(
        uint64 windowSeconds,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 proposalId);

    /**
     * @dev Votes for window proposal `proposalId` for the organisation of `approver` (typed
     * `ApproveAuthorErasureWindow`).
     *
     * Requirements: `approver` an active admin of an active organisation that has not voted for it; the
     * proposal pending (the window version it replaces still current).
     *
     * Emits {AuthorErasureWindowApproved}, and {AuthorErasureWindowChanged} once two thirds voted.
     *
     * @param proposalId The proposal.
     * @param approver The approving admin.
     * @param nonce The admin's nonce.
     * @param deadline The last second the action is valid.
     * @param signature The admin's signature.
     */
    function approveAuthorErasureWindow(
        uint256 proposalId,
        address approver,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @dev Returns when, by whom and why `recordId` was erased (all zero if it was not).
    /// @param recordId The record.
    /// @return erasedAt The block timestamp of the erasure (0 if not erased).
    /// @return by Who erased it.
    /// @return reason The reason.
    function erasureOf(bytes32 recordId) external view returns (uint64 erasedAt, address by, uint8 reason);

    /// @dev Returns true if `recordId` was erased.
    /// @param recordId The record.
    /// @return True if erased.
    function isErased(bytes32 recordId) external view returns (bool);

    /// @dev Returns when and by whom `recordId` was hidden and its retention end (all zero if not hidden).
    /// @param recordId The record.
    /// @return hiddenAt The block timestamp it was hidden (0 if not hidden).
    /// @return by Who hid it.
    /// @return retainUntil Its retention end (0: none).
    function hiddenOf(bytes32 recordId) external view returns (uint64 hiddenAt, address by, uint64 retainUntil);

    /// @dev Returns how `newRecordId` was derived (kind 0 if it was not).
    /// @param newRecordId The derived record.
    /// @return kind The derivation kind (1 copy, 2 duplicate, 3 move; 0 none).
    /// @return sourceId The source record.
    /// @return toOrganisation For a copy, its organisation.
    function derivationOf(
        bytes32 newRecordId
    ) external view returns (uint8 kind, bytes32 sourceId, uint32 toOrganisation);

    /// @dev Returns the organisation `recordId` was copied for, 0 if it is not a copy.
    /// @param recordId The record.
    /// @return The organisation whose members may read the copy (0 if none).
    function copiedTo(bytes32 recordId) external view returns (uint32);

    /// @dev Returns the author erasure window (seconds after anchoring during which an admin of the author's
    /// organisation may erase a record entered in error; 0: never) and its version.
    /// @return windowSeconds The window.
    /// @return version Its version (0 until a proposal passed).
    function authorErasureWindow() external view returns (uint64 windowSeconds, uint64 version);

    /// @dev Returns window proposal `proposalId`.
    /// @param proposalId The proposal.
    /// @return The proposal (all zero if none).
    function windowProposal(uint256 proposalId) external view returns (WindowProposal memory);

    /// @dev Returns the number of window proposals.
    /// @return The number of proposals.
    function windowProposalCount() external view returns (uint256);

    /// @dev Returns true if `organisationId` voted for window proposal `proposalId`.
    /// @param proposalId The proposal.
    /// @param organisationId The organisation.
    /// @return True if it voted.
    function hasApprovedWindow(uint256 proposalId, uint32 organisationId) external view returns (bool);
}
