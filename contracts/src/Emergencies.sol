// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IConsortium} from "./IConsortium.sol";
import {IEmergencies} from "./IEmergencies.sol";
import {SignedActions} from "./SignedActions.sol";
import {Vocabulary} from "./Vocabulary.sol";
import {TwoThirdsVote} from "./utils/TwoThirdsVote.sol";

/**
 * @dev Emergency access: privileges given by organisation admins, declarations by privileged members, reviews
 * by the declaring member's admins, and the window, governed by two thirds of the active organisations. Every
 * action is signed by its actor (EIP-712) and relayed by any gateway.
 */
contract Emergencies is IEmergencies, SignedActions {
    using TwoThirdsVote for TwoThirdsVote.Votes;

    bytes32 private constant SET_EMERGENCY_PRIVILEGE_TYPEHASH = keccak256(
        "SetEmergencyPrivilege(address member,bool privileged,address admin,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant DECLARE_EMERGENCY_TYPEHASH = keccak256(
        "DeclareEmergency(address member,address patient,uint8 reasonCode,bytes32 justificationHash,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant REVIEW_EMERGENCY_TYPEHASH = keccak256(
        "ReviewEmergency(uint256 emergencyId,uint8 verdict,address reviewer,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant PROPOSE_EMERGENCY_WINDOW_TYPEHASH = keccak256(
        "ProposeEmergencyWindow(uint64 windowSeconds,address admin,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant APPROVE_EMERGENCY_WINDOW_TYPEHASH = keccak256(
        "ApproveEmergencyWindow(uint256 proposalId,address approver,uint256 nonce,uint256 deadline)"
    );

    /// @dev condition (0), medication (1), allergy (2) and emergency (6).
    uint32 private constant EMERGENCY_CATEGORIES =
        (uint32(1) << Vocabulary.CATEGORY_CONDITION) |
            (uint32(1) << Vocabulary.CATEGORY_MEDICATION) |
            (uint32(1) << Vocabulary.CATEGORY_ALLERGY) |
            (uint32(1) << Vocabulary.CATEGORY_EMERGENCY);
    uint64 private constant DEFAULT_WINDOW = 4 hours;
    uint64 private constant MIN_WINDOW = 5 minutes;
    uint64 private constant MAX_WINDOW = 24 hours;

    IConsortium private immutable _consortium;

    mapping(uint256 emergencyId => Emergency) private _emergencies;
    mapping(address member => mapping(address patient => uint256 emergencyId)) private _latestEmergency;
    mapping(address member => bool) private _privileged;
    uint256 private _emergencyCount;

    mapping(uint256 proposalId => WindowProposal) private _windowProposals;
    TwoThirdsVote.Votes private _windowVotes;
    uint256 private _windowProposalCount;
    uint64 private _window;
    uint64 private _windowVersion;

    constructor(IConsortium consortium_) SignedActions("medledger.Emergencies") {
        _consortium = consortium_;
        _window = DEFAULT_WINDOW;
    }

    /// @inheritdoc IEmergencies
    function setEmergencyPrivilege(
        address member,
        bool privileged,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(SET_EMERGENCY_PRIVILEGE_TYPEHASH, member, privileged, admin, nonce, deadline)
        );
        _useSignature(admin, structHash, nonce, deadline, signature);
        uint32 organisationId = _consortium.member(member).organisationId;
        if (organisationId == 0) revert EmergenciesUnknownMember(member);
        _requireActiveAdmin(admin, organisationId);
        if (_privileged[member] == privileged) revert EmergenciesPrivilegeAlreadySet(member, privileged);
        if (privileged && _consortium.activeOrganisationOf(member) == 0) revert EmergenciesNotActiveMember(member);

        _privileged[member] = privileged;
        emit EmergencyPrivilegeSet(member, organisationId, privileged, admin);
    }

    /// @inheritdoc IEmergencies
    function declareEmergency(
        address member,
        address patient,
        uint8 reasonCode,
        bytes32 justificationHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 emergencyId) {
        bytes32 structHash = keccak256(
            abi.encode(DECLARE_EMERGENCY_TYPEHASH, member, patient, reasonCode, justificationHash, nonce, deadline)
        );
        _useSignature(member, structHash, nonce, deadline, signature);
        uint32 organisationId = _consortium.activeOrganisationOf(member);
        if (organisationId == 0) revert EmergenciesNotActiveMember(member);
        if (!_privileged[member]) revert EmergenciesNotPrivileged(member);
        if (!_consortium.patient(patient).registered) revert EmergenciesUnknownPatient(patient);
        if (reasonCode == 0 || reasonCode > Vocabulary.REASON_COUNT) revert EmergenciesInvalidReason(reasonCode);
        if (justificationHash == 0) revert EmergenciesEmptyJustification();
        uint256 open = activeEmergency(member, patient);
        if (open != 0) revert EmergenciesAlreadyActive(open, _emergencies[open].expiresAt);

        emergencyId = ++_emergencyCount;
        uint64 declaredAt = uint64(block.timestamp);
        uint64 expiresAt = declaredAt + _window;
        _emergencies[emergencyId] = Emergency({
            member: member,
            organisationId: organisationId,
            reasonCode: reasonCode,
            verdict: 0,
            patient: patient,
            declaredAt: declaredAt,
            justificationHash: justificationHash,
            expiresAt: expiresAt,
            reviewer: address(0),
            reviewedAt: 0
        });
        _latestEmergency[member][patient] = emergencyId;
        emit EmergencyDeclared(
            emergencyId,
            patient,
            member,
            organisationId,
            reasonCode,
            justificationHash,
            declaredAt,
            expiresAt
        );
    }

    /// @inheritdoc IEmergencies
    function reviewEmergency(
        uint256 emergencyId,
        uint8 verdict,
        address reviewer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(REVIEW_EMERGENCY_TYPEHASH, emergencyId, verdict, reviewer, nonce, deadline)
        );
        _useSignature(reviewer, structHash, nonce, deadline, signature);
        Emergency storage reviewed = _emergencies[emergencyId];
        if (reviewed.member == address(0)) revert EmergenciesUnknownEmergency(emergencyId);
        _requireActiveAdmin(reviewer, reviewed.organisationId);
        if (reviewer == reviewed.member) revert EmergenciesSelfReview(emergencyId, reviewer);
        if (verdict != Vocabulary.VERDICT_JUSTIFIED && verdict != Vocabulary.VERDICT_UNJUSTIFIED)
            revert EmergenciesInvalidVerdict(verdict);
        if (reviewed.verdict != 0) revert EmergenciesAlreadyReviewed(emergencyId, reviewed.verdict);

        reviewed.verdict = verdict;
        reviewed.reviewer = reviewer;
        reviewed.reviewedAt = uint64(block.timestamp);
        emit EmergencyReviewed(emergencyId, reviewed.organisationId, reviewer, verdict);
    }

    /// @inheritdoc IEmergencies
    function proposeEmergencyWindow(
        uint64 windowSeconds,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 proposalId) {
        bytes32 structHash = keccak256(
            abi.encode(PROPOSE_EMERGENCY_WINDOW_TYPEHASH, windowSeconds, admin, nonce, deadline)
        );
        _useSignature(admin, structHash, nonce, deadline, signature);
        uint32 proposerOrganisationId = _consortium.member(admin).organisationId;
        _requireActiveAdmin(admin, proposerOrganisationId);
        if (windowSeconds < MIN_WINDOW || windowSeconds > MAX_WINDOW) revert EmergenciesInvalidWindow(windowSeconds);

        proposalId = ++_windowProposalCount;
        WindowProposal storage proposal = _windowProposals[proposalId];
        proposal.windowSeconds = windowSeconds;
        proposal.proposerOrganisationId = proposerOrganisationId;
        proposal.baseVersion = _windowVersion;
        emit EmergencyWindowProposed(proposalId, windowSeconds);

        _approveWindow(proposalId, proposal, proposerOrganisationId);
    }

    /// @inheritdoc IEmergencies
    function approveEmergencyWindow(
        uint256 proposalId,
        address approver,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(APPROVE_EMERGENCY_WINDOW_TYPEHASH, proposalId, approver, nonce, deadline)
        );
        _useSignature(approver, structHash, nonce, deadline, signature);
        uint32 approverOrganisationId = _consortium.member(approver).organisationId;
        _requireActiveAdmin(approver, approverOrganisationId);
        WindowProposal storage proposal = _windowProposals[proposalId];
        if (
            !TwoThirdsVote.isPending(
                proposalId,
                _windowProposalCount,
                proposal.enacted,
                proposal.baseVersion,
                _windowVersion
            )
        ) revert EmergenciesWindowProposalNotPending(proposalId);
        if (_windowVotes.hasApproved(proposalId, approverOrganisationId)) {
            revert EmergenciesWindowAlreadyApproved(proposalId, approverOrganisationId);
        }

        _approveWindow(proposalId, proposal, approverOrganisationId);
    }

    /// @inheritdoc IEmergencies
    function emergencyOf(uint256 emergencyId) external view returns (Emergency memory) {
        return _emergencies[emergencyId];
    }

    /// @inheritdoc IEmergencies
    function emergencyCount() external view returns (uint256) {
        return _emergencyCount;
    }

    /// @inheritdoc IEmergencies
    function isEmergencyPrivileged(address member) external view returns (bool) {
        return _privileged[member];
    }

    /// @inheritdoc IEmergencies
    function activeEmergency(address member, address patient) public view returns (uint256) {
        uint256 emergencyId = _latestEmergency[member][patient];
        if (emergencyId == 0) return 0;
        Emergency storage latest = _emergencies[emergencyId];
        if (block.timestamp >= latest.expiresAt || latest.verdict == Vocabulary.VERDICT_UNJUSTIFIED) return 0;
        return emergencyId;
    }

    /// @inheritdoc IEmergencies
    function authorisingEmergency(
        address actor,
        address patient,
        uint8 category,
        uint8 sensitivity,
        uint8 action
    ) external view returns (uint256) {
        if (action != Vocabulary.ACTION_READ || sensitivity != Vocabulary.SENSITIVITY_NORMAL) return 0;
        if (category >= 32 || (EMERGENCY_CATEGORIES >> category) & 1 == 0) return 0;
        if (!_privileged[actor] || _consortium.activeOrganisationOf(actor) == 0) return 0;
        return activeEmergency(actor, patient);
    }

    /// @inheritdoc IEmergencies
    function emergencyCategories() external pure returns (uint32) {
        return EMERGENCY_CATEGORIES;
    }

    /// @inheritdoc IEmergencies
    function emergencyWindow() external view returns (uint64 windowSeconds, uint64 version) {
        return (_window, _windowVersion);
    }

    /// @inheritdoc IEmergencies
    function windowProposal(uint256 proposalId) external view returns (WindowProposal memory) {
        return _windowProposals[proposalId];
    }

    /// @inheritdoc IEmergencies
    function windowProposalCount() external view returns (uint256) {
        return _windowProposalCount;
    }

    /// @inheritdoc IEmergencies
    function hasApprovedWindow(uint256 proposalId, uint32 organisationId) external view returns (bool) {
        return _windowVotes.hasApproved(proposalId, organisationId);
    }

    /// @inheritdoc IEmergencies
    function consortium() external view returns (address) {
        return address(_consortium);
    }

    /// @dev Counts the vote of `approverOrganisationId` for a pending window proposal and enacts the proposal
    /// once two thirds of the active organisations voted for it. Emits {EmergencyWindowApproved} and possibly
    /// {EmergencyWindowChanged}.
    function _approveWindow(
        uint256 proposalId,
        WindowProposal storage proposal,
        uint32 approverOrganisationId
    ) private {
        (uint32 approvals, bool passed) = _windowVotes.approve(
            proposalId,
            approverOrganisationId,
            proposal.approvals,
            _consortium.activeOrganisationCount()
        );
        proposal.approvals = approvals;
        emit EmergencyWindowApproved(proposalId, approverOrganisationId, approvals);
        if (!passed) return;

        proposal.enacted = true;
        uint64 version = ++_windowVersion;
        _window = proposal.windowSeconds;
        emit EmergencyWindowChanged(version, proposal.windowSeconds);
    }

    /// @dev Reverts unless `admin` is an active admin of the active organisation `organisationId`.
    function _requireActiveAdmin(address admin, uint32 organisationId) private view {
        IConsortium.Member memory membership = _consortium.member(admin);
        if (
            organisationId == 0 ||
            membership.organisationId != organisationId ||
            membership.role != Vocabulary.ROLE_ADMIN ||
            _consortium.activeOrganisationOf(admin) == 0
        ) revert EmergenciesNotActiveAdmin(admin, organisationId);
    }
}
