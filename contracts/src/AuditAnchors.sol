// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAuditAnchors} from "./IAuditAnchors.sol";
import {IConsortium} from "./IConsortium.sol";

/**
 * @dev Per-organisation, gap-free anchors of audit batches. Storage is two slots per batch; the next
 * sequence number is derived from the last batch, so an anchor writes nothing else but the batch count.
 */
contract AuditAnchors is IAuditAnchors {
    IConsortium private immutable _consortium;

    mapping(uint32 organisationId => AuditBatch[]) private _batches;

    constructor(IConsortium consortium_) {
        _consortium = consortium_;
    }

    /// @inheritdoc IAuditAnchors
    function anchorAuditBatch(uint32 organisationId, uint64 firstSequence, uint64 count, bytes32 root) external {
        if (!_consortium.isActiveOrganisation(organisationId)) revert AuditAnchorsOrganisationNotActive(organisationId);
        if (msg.sender != _consortium.gatewayRelayerOf(organisationId)) {
            revert AuditAnchorsNotGateway(organisationId, msg.sender);
        }
        if (count == 0) revert AuditAnchorsZeroCount(organisationId);
        if (root == 0) revert AuditAnchorsZeroRoot(organisationId);
        AuditBatch[] storage batches = _batches[organisationId];
        uint64 expected = _nextSequence(batches);
        if (firstSequence != expected) revert AuditAnchorsGap(organisationId, expected, firstSequence);
        if (uint256(firstSequence) + count > type(uint64).max) {
            revert AuditAnchorsSequenceOverflow(organisationId, firstSequence, count);
        }

        uint64 batchIndex = uint64(batches.length);
        batches.push(AuditBatch(root, firstSequence, count, uint64(block.timestamp), uint64(block.number)));
        emit AuditBatchAnchored(organisationId, batchIndex, firstSequence, count, root);
    }

    /// @inheritdoc IAuditAnchors
    function nextSequence(uint32 organisationId) external view returns (uint64) {
        return _nextSequence(_batches[organisationId]);
    }

    /// @inheritdoc IAuditAnchors
    function batchCount(uint32 organisationId) external view returns (uint64) {
        return uint64(_batches[organisationId].length);
    }

    /// @inheritdoc IAuditAnchors
    function batch(uint32 organisationId, uint64 batchIndex) external view returns (AuditBatch memory) {
        AuditBatch[] storage batches = _batches[organisationId];
        if (batchIndex >= batches.length) revert AuditAnchorsUnknownBatch(organisationId, batchIndex);
        return batches[batchIndex];
    }

    /// @inheritdoc IAuditAnchors
    function batchContaining(uint32 organisationId, uint64 sequence) external view returns (uint64 batchIndex) {
        AuditBatch[] storage batches = _batches[organisationId];
        if (sequence >= _nextSequence(batches)) revert AuditAnchorsNotAnchored(organisationId, sequence);
        // The last batch whose first sequence is at most `sequence`; batches are contiguous, so it holds it.
        uint256 low = 0;
        uint256 high = batches.length - 1;
        while (low < high) {
            uint256 middle = (low + high + 1) / 2;
            if (batches[middle].firstSequence <= sequence) low = middle;
            else high = middle - 1;
        }
        return uint64(low);
    }

    /// @inheritdoc IAuditAnchors
    function consortium() external view returns (address) {
        return address(_consortium);
    }

    /// @dev Returns the sequence number following the last batch of `batches`, 0 if there is none.
    function _nextSequence(AuditBatch[] storage batches) private view returns (uint64) {
        uint256 length = batches.length;
        if (length == 0) return 0;
        AuditBatch storage last = batches[length - 1];
        return last.firstSequence + last.count;
    }
}
