// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IConsents} from "./IConsents.sol";
import {IConsortium} from "./IConsortium.sol";
import {IRecordActions} from "./IRecordActions.sol";
import {IRecords} from "./IRecords.sol";
import {SignedActions} from "./SignedActions.sol";
import {Vocabulary} from "./Vocabulary.sol";
import {TwoThirdsVote} from "./utils/TwoThirdsVote.sol";

/**
 * @dev Erasure, soft deletion and derivations of anchored records (see {IRecordActions}). Every action is
 * signed by its actor (EIP-712) and relayed by any gateway; a derived record is anchored through
 * {IRecords-anchorRecords} after the derivation's state changed, so that a revert there undoes both.
 *
 * Storage is one slot per erased record (bits 216..255 the erasure time, 160..167 the reason, 0..159 who
 * erased it), one per hidden record (216..255 when hidden, 160..199 the retention end, 0..159 who hid it),
 * and two per derived record.
 */
contract RecordActions is IRecordActions, SignedActions {
    using TwoThirdsVote for TwoThirdsVote.Votes;

    bytes32 private constant ERASURE_TYPEHASH = keccak256(
        "Erasure(bytes32 recordId,address by,uint8 reason,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant HIDE_TYPEHASH = keccak256(
        "Hide(bytes32 recordId,address by,uint64 retainUntil,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant UNHIDE_TYPEHASH = keccak256(
        "Unhide(bytes32 recordId,address by,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant DERIVATION_TYPEHASH = keccak256(
        "Derivation(uint8 kind,bytes32 sourceId,bytes32 newRecordId,address by,uint32 toOrganisation,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant PROPOSE_AUTHOR_ERASURE_WINDOW_TYPEHASH = keccak256(
        "ProposeAuthorErasureWindow(uint64 windowSeconds,address admin,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant APPROVE_AUTHOR_ERASURE_WINDOW_TYPEHASH = keccak256(
        "ApproveAuthorErasureWindow(uint256 proposalId,address approver,uint256 nonce,uint256 deadline)"
    );

    uint64 private constant MAX_WINDOW = 90 days;
    uint256 private constant TIME_SHIFT = 216;
    uint256 private constant BYTE_SHIFT = 160;
    uint256 private constant ADDRESS_MASK = (uint256(1) << 160) - 1;

    IConsortium private immutable _consortium;
    IConsents private immutable _consents;
    IRecords private immutable _records;

    mapping(bytes32 recordId => uint256 erasure) private _erasures;
    mapping(bytes32 recordId => uint256 hidden) private _hidden;
    mapping(bytes32 newRecordId => bytes32 sourceId) private _derivationSources;
    mapping(bytes32 newRecordId => uint256 kindAndOrganisation) private _derivationKinds;

    mapping(uint256 proposalId => WindowProposal) private _windowProposals;
    TwoThirdsVote.Votes private _windowVotes;
    uint256 private _windowProposalCount;
    uint64 private _window;
    uint64 private _windowVersion;

    constructor(IConsortium consortium, IConsents consents, IRecords records) SignedActions("medledger.RecordActions") {
        _consortium = consortium;
        _consents = consents;
        _records = records;
    }

    /// @inheritdoc IRecordActions
    function erase(
        Erasure[] calldata erasures,
        IRecords.Record[] calldata records,
        bytes[] calldata signatures
    ) external {
        uint256 length = erasures.length;
        if (length == 0 || records.length != length || signatures.length != length) {
            revert RecordActionsInvalidBatch(length, records.length, signatures.length);
        }
        // A chart's erasure is one patient's: its signing key is looked up once.
        address lastPatient;
        address lastSigner;
        for (uint256 i = 0; i < length; ++i) {
            Erasure calldata erasure = erasures[i];
            IRecords.Record calldata record = records[i];
            bytes32 recordId = erasure.recordId;
            uint64 anchoredAt = _requireAnchored(recordId, record);
            address by = erasure.by;
            address signer = by;
            if (erasure.reason == Vocabulary.ERASURE_PATIENT_REQUEST) {
                if (by != record.patient) revert RecordActionsNotAuthorised(recordId, by);
                if (by != lastPatient) {
                    lastPatient = by;
                    lastSigner = _consortium.signerOf(by);
                }
                signer = lastSigner;
            } else if (erasure.reason == Vocabulary.ERASURE_ENTERED_IN_ERROR) {
                if (!_isAuthorAdmin(by, record)) revert RecordActionsNotAuthorised(recordId, by);
                uint64 window = _window;
                if (window == 0 || block.timestamp > uint256(anchoredAt) + window) {
                    revert RecordActionsErasureWindowClosed(recordId, anchoredAt, window);
                }
            } else {
                revert RecordActionsInvalidReason(recordId, erasure.reason);
            }
            // An erasure cannot happen twice: its nonce is signed but need not be spent.
            _verifySignature(signer, keccak256(abi.encode(ERASURE_TYPEHASH, erasure)), erasure.deadline, signatures[i]);
            _erase(recordId, record.patient, by, erasure.reason);
        }
    }

    /// @inheritdoc IRecordActions
    function hide(Hide calldata action, IRecords.Record calldata record, bytes calldata signature) external {
        bytes32 recordId = action.recordId;
        _requireAnchored(recordId, record);
        address by = action.by;
        bool byPatient = by == record.patient;
        if (!byPatient && !_isAuthorAdmin(by, record)) revert RecordActionsNotAuthorised(recordId, by);
        _useSignatureOf(
            by,
            byPatient ? _consortium.signerOf(by) : by,
            keccak256(abi.encode(HIDE_TYPEHASH, action)),
            action.nonce,
            action.deadline,
            signature
        );
        uint256 hidden = _hidden[recordId];
        if (hidden != 0) revert RecordActionsAlreadyHidden(recordId, _retainUntil(hidden));
        uint64 retainUntil = action.retainUntil;
        if (retainUntil != 0 && retainUntil < block.timestamp) {
            revert RecordActionsInvalidRetention(recordId, retainUntil);
        }

        _hidden[recordId] =
            (block.timestamp << TIME_SHIFT) |
            (uint256(retainUntil) << BYTE_SHIFT) |
            uint256(uint160(by));
        emit RecordHidden(recordId, record.patient, by, retainUntil);
    }

    /// @inheritdoc IRecordActions
    function unhide(Unhide calldata action, bytes calldata signature) external {
        bytes32 recordId = action.recordId;
        uint256 hidden = _hidden[recordId];
        if (hidden == 0) revert RecordActionsNotHidden(recordId);
        address patient = _records.anchorOf(recordId).patient;
        address by = action.by;
        if (by != patient) revert RecordActionsNotAuthorised(recordId, by);
        _useSignatureOf(
            by,
            _consortium.signerOf(by),
            keccak256(abi.encode(UNHIDE_TYPEHASH, action)),
            action.nonce,
            action.deadline,
            signature
        );
        uint64 retainUntil = _retainUntil(hidden);
        if (retainUntil != 0 && block.timestamp > retainUntil)
            revert RecordActionsRetentionEnded(recordId, retainUntil);

        delete _hidden[recordId];
        emit RecordUnhidden(recordId, patient);
    }

    /// @inheritdoc IRecordActions
    function finaliseRetention(bytes32[] calldata recordIds) external {
        if (recordIds.length == 0) revert RecordActionsInvalidBatch(0, 0, 0);
        for (uint256 i = 0; i < recordIds.length; ++i) {
            bytes32 recordId = recordIds[i];
            uint256 hidden = _hidden[recordId];
            if (hidden == 0) revert RecordActionsNotHidden(recordId);
            uint64 retainUntil = _retainUntil(hidden);
            if (retainUntil == 0 || block.timestamp <= retainUntil) {
                revert RecordActionsRetentionNotEnded(recordId, retainUntil);
            }
            address patient = _records.anchorOf(recordId).patient;
            _erase(recordId, patient, address(uint160(hidden & ADDRESS_MASK)), Vocabulary.ERASURE_RETENTION_ENDED);
        }
    }

    /// @inheritdoc IRecordActions
    function derive(
        Derivation calldata derivation,
        bytes calldata signature,
        IRecords.Record calldata source,
        uint256 grantId,
        IRecords.RecordInput calldata newRecord
    ) external {
        bytes32 sourceId = derivation.sourceId;
        _requireAnchored(sourceId, source);
        address by = derivation.by;
        bool byPatient = by == source.patient;
        _useSignatureOf(
            by,
            byPatient ? _consortium.signerOf(by) : by,
            keccak256(abi.encode(DERIVATION_TYPEHASH, derivation)),
            derivation.nonce,
            derivation.deadline,
            signature
        );
        _requireDerivable(derivation, source, grantId, newRecord.record, byPatient);

        bytes32 newRecordId = derivation.newRecordId;
        _derivationSources[newRecordId] = sourceId;
        _derivationKinds[newRecordId] = (uint256(derivation.toOrganisation) << 8) | derivation.kind;
        emit RecordDerived(derivation.kind, sourceId, newRecordId, by, derivation.toOrganisation);
        if (derivation.kind == Vocabulary.DERIVATION_MOVE) {
            _erase(sourceId, source.patient, by, Vocabulary.ERASURE_MOVED);
        }
        IRecords.RecordInput[] memory batch = new IRecords.RecordInput[](1);
        batch[0] = newRecord;
        _records.anchorRecords(batch);
    }

    /// @inheritdoc IRecordActions
    function proposeAuthorErasureWindow(
        uint64 windowSeconds,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 proposalId) {
        bytes32 structHash = keccak256(
            abi.encode(PROPOSE_AUTHOR_ERASURE_WINDOW_TYPEHASH, windowSeconds, admin, nonce, deadline)
        );
        _useSignature(admin, structHash, nonce, deadline, signature);
        uint32 proposerOrganisationId = _requireActiveAdmin(admin);
        if (windowSeconds > MAX_WINDOW) revert RecordActionsInvalidWindow(windowSeconds);

        proposalId = ++_windowProposalCount;
        WindowProposal storage proposal = _windowProposals[proposalId];
        proposal.windowSeconds = windowSeconds;
        proposal.proposerOrganisationId = proposerOrganisationId;
        proposal.baseVersion = _windowVersion;
        emit AuthorErasureWindowProposed(proposalId, windowSeconds);

        _approveWindow(proposalId, proposal, proposerOrganisationId);
    }

    /// @inheritdoc IRecordActions
    function approveAuthorErasureWindow(
        uint256 proposalId,
        address approver,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(APPROVE_AUTHOR_ERASURE_WINDOW_TYPEHASH, proposalId, approver, nonce, deadline)
        );
        _useSignature(approver, structHash, nonce, deadline, signature);
        uint32 approverOrganisationId = _requireActiveAdmin(approver);
        WindowProposal storage proposal = _windowProposals[proposalId];
        if (
            !TwoThirdsVote.isPending(
                proposalId,
                _windowProposalCount,
                proposal.enacted,
                proposal.baseVersion,
                _windowVersion
            )
        ) revert RecordActionsWindowProposalNotPending(proposalId);
        if (_windowVotes.hasApproved(proposalId, approverOrganisationId)) {
            revert RecordActionsWindowAlreadyApproved(proposalId, approverOrganisationId);
        }

        _approveWindow(proposalId, proposal, approverOrganisationId);
    }

    /// @inheritdoc IRecordActions
    function erasureOf(bytes32 recordId) external view returns (uint64 erasedAt, address by, uint8 reason) {
        uint256 erasure = _erasures[recordId];
        return (uint64(erasure >> TIME_SHIFT), address(uint160(erasure & ADDRESS_MASK)), uint8(erasure >> BYTE_SHIFT));
    }

    /// @inheritdoc IRecordActions
    function isErased(bytes32 recordId) external view returns (bool) {
        return _erasures[recordId] != 0;
    }

    /// @inheritdoc IRecordActions
    function hiddenOf(bytes32 recordId) external view returns (uint64 hiddenAt, address by, uint64 retainUntil) {
        uint256 hidden = _hidden[recordId];
        return (uint64(hidden >> TIME_SHIFT), address(uint160(hidden & ADDRESS_MASK)), _retainUntil(hidden));
    }

    /// @inheritdoc IRecordActions
    function derivationOf(
        bytes32 newRecordId
    ) external view returns (uint8 kind, bytes32 sourceId, uint32 toOrganisation) {
        uint256 kindAndOrganisation = _derivationKinds[newRecordId];
        return (uint8(kindAndOrganisation), _derivationSources[newRecordId], uint32(kindAndOrganisation >> 8));
    }

    /// @inheritdoc IRecordActions
    function copiedTo(bytes32 recordId) external view returns (uint32) {
        return uint32(_derivationKinds[recordId] >> 8);
    }

    /// @inheritdoc IRecordActions
    function authorErasureWindow() external view returns (uint64 windowSeconds, uint64 version) {
        return (_window, _windowVersion);
    }

    /// @inheritdoc IRecordActions
    function windowProposal(uint256 proposalId) external view returns (WindowProposal memory) {
        return _windowProposals[proposalId];
    }

    /// @inheritdoc IRecordActions
    function windowProposalCount() external view returns (uint256) {
        return _windowProposalCount;
    }

    /// @inheritdoc IRecordActions
    function hasApprovedWindow(uint256 proposalId, uint32 organisationId) external view returns (bool) {
        return _windowVotes.hasApproved(proposalId, organisationId);
    }

    /// @dev Marks `recordId` erased and forgets that it was hidden. Emits {RecordErased}.
    function _erase(bytes32 recordId, address patient, address by, uint8 reason) private {
        _erasures[recordId] = (block.timestamp << TIME_SHIFT) | (uint256(reason) << BYTE_SHIFT) | uint256(uint160(by));
        if (_hidden[recordId] != 0) delete _hidden[recordId];
        emit RecordErased(recordId, patient, by, reason);
    }

    /// @dev Returns when `record` was anchored if it is anchored as `recordId` with these fields and not
    /// erased, else reverts.
    function _requireAnchored(bytes32 recordId, IRecords.Record calldata record) private view returns (uint64) {
        if (record.recordId != recordId) revert RecordActionsRecordMismatch(recordId);
        (uint64 anchoredAt, bool sameLeaf) = _records.anchorTimeOf(record);
        if (anchoredAt == 0) revert RecordActionsNotAnchored(recordId);
        if (!sameLeaf) revert RecordActionsRecordMismatch(recordId);
        uint256 erasure = _erasures[recordId];
        if (erasure != 0) revert RecordActionsAlreadyErased(recordId, uint64(erasure >> TIME_SHIFT));
        return anchoredAt;
    }

    /// @dev Checks what {derive} requires of a derivation but its signature and the source's anchoring.
    function _requireDerivable(
        Derivation calldata derivation,
        IRecords.Record calldata source,
        uint256 grantId,
        IRecords.Record calldata newRecord,
        bool byPatient
    ) private view {
        bytes32 sourceId = derivation.sourceId;
        uint8 kind = derivation.kind;
        address by = derivation.by;
        if (kind == 0 || kind > Vocabulary.DERIVATION_KIND_COUNT) revert RecordActionsInvalidKind(sourceId, kind);
        bool isCopy = kind == Vocabulary.DERIVATION_COPY;
        if (isCopy ? !_consortium.isActiveOrganisation(derivation.toOrganisation) : derivation.toOrganisation != 0) {
            revert RecordActionsInvalidOrganisation(sourceId, derivation.toOrganisation);
        }
        bool authorised;
        if (kind == Vocabulary.DERIVATION_MOVE) {
            authorised = (by == source.author && _consortium.isActiveMember(by)) || _isAuthorAdmin(by, source);
        } else {
            authorised =
                byPatient ||
                _consents.checkGrant(
                    grantId,
                    by,
                    source.patient,
                    source.category,
                    source.sensitivity,
                    isCopy ? Vocabulary.ACTION_SHARE : Vocabulary.ACTION_READ
                );
        }
        if (!authorised) revert RecordActionsNotAuthorised(sourceId, by);
        bool samePatient = newRecord.patient == source.patient;
        if (
            newRecord.recordId != derivation.newRecordId ||
            (kind == Vocabulary.DERIVATION_MOVE ? samePatient : !samePatient)
        ) revert RecordActionsInvalidDerivedRecord(sourceId, derivation.newRecordId);
    }

    /// @dev True if `account` is an active admin of the active organisation of `record`'s author (a member).
    function _isAuthorAdmin(address account, IRecords.Record calldata record) private view returns (bool) {
        IConsortium.Member memory admin = _consortium.member(account);
        if (admin.role != Vocabulary.ROLE_ADMIN || _consortium.activeOrganisationOf(account) == 0) return false;
        if (record.author == record.patient) return false;
        return _consortium.member(record.author).organisationId == admin.organisationId;
    }

    /// @dev Returns the organisation of `admin` if it is an active admin of an active organisation, else reverts.
    function _requireActiveAdmin(address admin) private view returns (uint32 organisationId) {
        organisationId = _consortium.activeOrganisationOf(admin);
        if (organisationId == 0 || _consortium.member(admin).role != Vocabulary.ROLE_ADMIN) {
            revert RecordActionsNotActiveAdmin(admin, organisationId);
        }
    }

    /// @dev Counts the vote of `approverOrganisationId` for a pending window proposal and enacts the proposal
    /// once two thirds of the active organisations voted for it. Emits {AuthorErasureWindowApproved} and
    /// possibly {AuthorErasureWindowChanged}.
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
        emit AuthorErasureWindowApproved(proposalId, approverOrganisationId, approvals);
        if (!passed) return;

        proposal.enacted = true;
        uint64 version = ++_windowVersion;
        _window = proposal.windowSeconds;
        emit AuthorErasureWindowChanged(version, proposal.windowSeconds);
    }

    /// @dev The retention end packed in a hidden record's slot.
    function _retainUntil(uint256 hidden) private pure returns (uint64) {
        return uint64(uint40(hidden >> BYTE_SHIFT));
    }
}
