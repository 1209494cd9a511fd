// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @dev The consortium's rule for collective decisions: a proposal passes once two thirds of the active
 * organisations voted for it, each at most once, its proposer's vote included.
 *
 * A versioned proposal names the version of the setting it would replace (`baseVersion`) and stays pending
 * only while that version is current, so a proposal never undoes a newer decision. The contracts keep the
 * proposals themselves (their structs are part of their ABIs) and raise their own errors and events; this
 * library keeps who voted for what and decides when a proposal is pending and when it passes.
 */
library TwoThirdsVote {
    /// @dev The organisations that voted for each proposal of one kind.
    struct Votes {
        mapping(uint256 proposalId => mapping(uint32 organisationId => bool)) approved;
    }

    /**
     * @dev Counts the vote of `organisationId` for `proposalId`, which had `approvals` votes, and returns
     * the new count and whether it reaches two thirds of `activeOrganisations`.
     *
     * Requirements (checked by the caller, which reverts with its own errors):
     *
     * - the proposal is pending.
     * - `organisationId` has not voted for it yet ({hasApproved}).
     */
    function approve(
        Votes storage votes,
        uint256 proposalId,
        uint32 organisationId,
        uint32 approvals,
        uint32 activeOrganisations
    ) internal returns (uint32 newApprovals, bool passed) {
        votes.approved[proposalId][organisationId] = true;
        newApprovals = approvals + 1;
        passed = uint256(newApprovals) * 3 >= uint256(activeOrganisations) * 2;
    }

    /// @dev Returns true if `organisationId` has voted for `proposalId`.
    function hasApproved(Votes storage votes, uint256 proposalId, uint32 organisationId) internal view returns (bool) {
        return votes.approved[proposalId][organisationId];
    }

    /**
     * @dev Returns true if the versioned proposal `proposalId` is pending: it exists (ids run from 1 to
     * `proposalCount`), it is not `enacted`, and the version it would replace (`baseVersion`) is still the
     * current one (`currentVersion`).
     */
    function isPending(
        uint256 proposalId,
        uint256 proposalCount,
        bool enacted,
        uint64 baseVersion,
        uint256 currentVersion
    ) internal pure returns (bool) {
        return proposalId != 0 && proposalId <= proposalCount && !enacted && baseVersion == currentVersion;
    }
}
