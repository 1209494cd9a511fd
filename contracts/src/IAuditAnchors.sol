// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @dev Anchors of each organisation's audit log. An organisation's gateway numbers its audit events 0, 1,
 * 2, ... and anchors them in batches, each the Merkle root of a run of consecutive sequence numbers. The
 * contract accepts a batch only if it starts exactly where the previous one ended, so the anchored
 * sequence of every organisation has no gap and no overlap, and a batch, once anchored, is never changed:
 * anyone holding the events can prove that none was dropped, inserted or altered.
 *
 * Only the relayer registered for the organisation in the consortium ({IConsortium-gatewayOf}) may anchor.
 */
interface IAuditAnchors {
    /// @dev An anchored batch: the Merkle `root` of the audit events `firstSequence` to
    /// `firstSequence + count - 1`, anchored at block `blockNumber` with timestamp `anchoredAt`.
    struct AuditBatch {
        bytes32 root;
        uint64 firstSequence;
        uint64 count;
        uint64 anchoredAt;
        uint64 blockNumber;
    }

    /// @dev The batch `batchIndex` of `organisationId` (indices run from 0) was anchored.
    /// @param organisationId The organisation whose audit events the batch holds.
    /// @param batchIndex The batch's index among the organisation's batches (from 0).
    /// @param firstSequence The sequence number of the first audit event of the batch.
    /// @param count The number of audit events in the batch.
    /// @param root The Merkle root of the audit events of the batch.
    event AuditBatchAnchored(
        uint32 indexed organisationId,
        uint64 indexed batchIndex,
        uint64 firstSequence,
        uint64 count,
        bytes32 root
    );

    /// @dev `organisationId` is not an active organisation.
    /// @param organisationId The organisation.
    error AuditAnchorsOrganisationNotActive(uint32 organisationId);

    /// @dev `sender` is not the relayer registered for the gateway of `organisationId`.
    /// @param organisationId The organisation whose batch was sent.
    /// @param sender The address that sent the transaction.
    error AuditAnchorsNotGateway(uint32 organisationId, address sender);

    /// @dev A batch of `organisationId` holds no event.
    /// @param organisationId The organisation.
    error AuditAnchorsZeroCount(uint32 organisationId);

    /// @dev A batch root of `organisationId` is zero.
    /// @param organisationId The organisation.
    error AuditAnchorsZeroRoot(uint32 organisationId);

    /// @dev A batch of `organisationId` starts at `given` instead of `expected`, the next unanchored sequence
    /// number: it would leave a gap (`given > expected`) or overlap anchored events (`given < expected`).
    /// @param organisationId The organisation.
    /// @param expected The sequence number the next batch must start at.
    /// @param given The sequence number the batch starts at.
    error AuditAnchorsGap(uint32 organisationId, uint64 expected, uint64 given);

    /// @dev A batch of `organisationId` of `count` events from `firstSequence` would end past the largest
    /// sequence number.
    /// @param organisationId The organisation.
    /// @param firstSequence The sequence number of the first audit event of the batch.
    /// @param count The number of audit events in the batch.
    error AuditAnchorsSequenceOverflow(uint32 organisationId, uint64 firstSequence, uint64 count);

    /// @dev `organisationId` has no batch `batchIndex`.
    /// @param organisationId The organisation.
    /// @param batchIndex The batch's index among the organisation's batches (from 0).
    error AuditAnchorsUnknownBatch(uint32 organisationId, uint64 batchIndex);

    /// @dev The event `sequence` of `organisationId` is not anchored yet.
    /// @param organisationId The organisation.
    /// @param sequence The sequence number of an audit event.
    error AuditAnchorsNotAnchored(uint32 organisationId, uint64 sequence);

    /**
     * @dev Anchors the Merkle `root` of the audit events `firstSequence` to `firstSequence + count - 1` of
     * `organisationId`, as its next batch.
     *
     * Requirements:
     *
     * - `organisationId` is active.
     * - the sender is the relayer of `organisationId`'s gateway in the consortium.
     * - `count` is not zero, `root` is not zero.
     * - `firstSequence` is {nextSequence} of `organisationId` (0 for the first batch), and
     *   `firstSequence + count` fits in 64 bits.
     *
     * Emits {AuditBatchAnchored}.
     *
     * @param organisationId The organisation whose audit events the batch holds; its gateway relayer sends the call.
     * @param firstSequence The sequence number of the first audit event of the batch.
     * @param count The number of audit events in the batch (at least one).
     * @param root The Merkle root of the audit events of the batch.
     */
    function anchorAuditBatch(uint32 organisationId, uint64 firstSequence, uint64 count, bytes32 root) external;

    /// @dev Returns the first sequence number of `organisationId` not yet anchored: the number of its
    /// anchored audit events.
    /// @param organisationId The organisation whose audit log is asked about.
    /// @return The sequence number the next batch must start at (0 before the first).
    function nextSequence(uint32 organisationId) external view returns (uint64);

    /// @dev Returns the number of anchored batches of `organisationId`; indices run from 0 to this number - 1.
    /// @param organisationId The organisation whose audit log is asked about.
    /// @return The number of batches anchored by the organisation.
    function batchCount(uint32 organisationId) external view returns (uint64);

    /**
     * @dev Returns the batch `batchIndex` of `organisationId`.
     *
     * Requirements:
     *
     * - `batchIndex` is less than {batchCount} of `organisationId`.
     *
     * @param organisationId The organisation whose audit log is asked about.
     * @param batchIndex The batch's index among the organisation's batches (from 0).
     * @return The batch (all zero if it does not exist).
     */
    function batch(uint32 organisationId, uint64 batchIndex) external view returns (AuditBatch memory);

    /**
     * @dev Returns the index of the batch of `organisationId` that anchors the audit event `sequence`
     * (binary search, logarithmic in the number of batches).
     *
     * Requirements:
     *
     * - `sequence` is less than {nextSequence} of `organisationId`.
     *
     * @param organisationId The organisation whose audit log is asked about.
     * @param sequence The sequence number of an audit event.
     * @return batchIndex The index of the batch that holds the event.
     */
    function batchContaining(uint32 organisationId, uint64 sequence) external view returns (uint64 batchIndex);

    /// @dev Returns the consortium whose organisations and gateways this contract trusts.
    /// @return The address of the Consortium contract this contract reads.
    function consortium() external view returns (address);
}
