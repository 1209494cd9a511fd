// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ICoSignatures} from "./ICoSignatures.sol";
import {IConsents} from "./IConsents.sol";
import {IConsortium} from "./IConsortium.sol";
import {IRecords} from "./IRecords.sol";
import {SignedActions} from "./SignedActions.sol";
import {Vocabulary} from "./Vocabulary.sol";
import {Signatures} from "./utils/Signatures.sol";
import {TwoThirdsVote} from "./utils/TwoThirdsVote.sol";

/**
 * @dev Co-signatures of anchored records and the consortium's per-category co-signature policies. A
 * co-signature needs no nonce or deadline: each signer can co-sign a record once.
 */
contract CoSignatures is ICoSignatures, SignedActions {
    using TwoThirdsVote for TwoThirdsVote.Votes;

    bytes32 private constant CO_SIGNATURE_TYPEHASH = keccak256(
        "CoSignature(bytes32 recordId,bytes32 contentDigest,address signer)"
    );
    bytes32 private constant REQUIREMENT_TYPEHASH = keccak256(
        "Requirement(uint8 role,uint8 count,bool sameOrganisation)"
    );
    bytes32 private constant PROPOSE_POLICY_TYPEHASH = keccak256(
        "ProposePolicy(uint8 category,Requirement[] requirements,bool patient,address admin,uint256 nonce,uint256 deadline)Requirement(uint8 role,uint8 count,bool sameOrganisation)"
    );
    bytes32 private constant APPROVE_POLICY_TYPEHASH = keccak256(
        "ApprovePolicy(uint256 proposalId,address approver,uint256 nonce,uint256 deadline)"
    );

    uint256 private constant MAX_CO_SIGNERS = 16;
    uint8 private constant MAX_COUNT = 16;

    IConsortium private immutable _consortium;
    IConsents private immutable _consents;
    IRecords private immutable _records;

    mapping(bytes32 recordId => address[]) private _coSigners;
    mapping(bytes32 recordId => mapping(address signer => bool)) private _hasCoSigned;
    mapping(uint8 category => Policy[]) private _policies;
    mapping(uint256 proposalId => PolicyProposal) private _proposals;
    TwoThirdsVote.Votes private _votes;
    uint256 private _proposalCount;

    constructor(IConsortium consortium, IConsents consents, IRecords records) SignedActions("medledger.CoSignatures") {
        _consortium = consortium;
        _consents = consents;
        _records = records;
    }

    /// @inheritdoc ICoSignatures
    function coSignRecords(CoSignatureInput[] calldata coSignatures) external {
        if (coSignatures.length == 0) revert CoSignaturesEmptyBatch();
        for (uint256 i = 0; i < coSignatures.length; ++i) {
            _coSign(coSignatures[i]);
        }
    }

    /// @inheritdoc ICoSignatures
    function proposePolicy(
        uint8 category,
        Requirement[] calldata requirements,
        bool patient,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 proposalId) {
        bytes32 structHash = keccak256(
            abi.encode(
                PROPOSE_POLICY_TYPEHASH,
                category,
                _hashRequirements(requirements),
                patient,
                admin,
                nonce,
                deadline
            )
        );
        _useSignature(admin, structHash, nonce, deadline, signature);
        uint32 proposerOrganisationId = _requireActiveAdmin(admin);
        _requireValidPolicy(category, requirements);

        proposalId = ++_proposalCount;
        PolicyProposal storage proposal = _proposals[proposalId];
        proposal.category = category;
        for (uint256 i = 0; i < requirements.length; ++i) {
            proposal.requirements.push(requirements[i]);
        }
        proposal.patient = patient;
        proposal.proposerOrganisationId = proposerOrganisationId;
        proposal.baseVersion = uint64(_policies[category].length);
        emit PolicyProposed(proposalId, category, requirements, patient);

        _approve(proposalId, proposal, proposerOrganisationId);
    }

    /// @inheritdoc ICoSignatures
    function approvePolicy(
        uint256 proposalId,
        address approver,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(APPROVE_POLICY_TYPEHASH, proposalId, approver, nonce, deadline));
        _useSignature(approver, structHash, nonce, deadline, signature);
        uint32 approverOrganisationId = _requireActiveAdmin(approver);
        PolicyProposal storage proposal = _proposals[proposalId];
        if (
            !TwoThirdsVote.isPending(
                proposalId,
                _proposalCount,
                proposal.enacted,
                proposal.baseVersion,
                _policies[proposal.category].length
            )
        ) revert CoSignaturesProposalNotPending(proposalId);
        if (_votes.hasApproved(proposalId, approverOrganisationId)) {
            revert CoSignaturesAlreadyApproved(proposalId, approverOrganisationId);
        }

        _approve(proposalId, proposal, approverOrganisationId);
    }

    /// @inheritdoc ICoSignatures
    function policy(uint8 category) external view returns (Policy memory current, uint64 version) {
        Policy[] storage versions = _policies[category];
        version = uint64(versions.length);
        if (version != 0) current = versions[version - 1];
    }

    /// @inheritdoc ICoSignatures
    function policyAt(uint8 category, uint64 version) external view returns (Policy memory) {
        Policy[] storage versions = _policies[category];
        if (version == 0 || version > versions.length) revert CoSignaturesUnknownPolicy(category, version);
        return versions[version - 1];
    }

    /// @inheritdoc ICoSignatures
    function stampOf(IRecords.Record calldata record) external view returns (Stamp memory stamp) {
        uint64 anchoredAt = _requireAnchored(record, address(0));
        stamp.policyVersion = _versionFor(record.category, anchoredAt);
        stamp.coSigners = _coSigners[record.recordId];
        stamp.finalised = _isFinal(record, stamp.policyVersion);
    }

    /// @inheritdoc ICoSignatures
    function coSignersOf(bytes32 recordId) external view returns (address[] memory) {
        return _coSigners[recordId];
    }

    /// @inheritdoc ICoSignatures
    function hasCoSigned(bytes32 recordId, address signer) external view returns (bool) {
        return _hasCoSigned[recordId][signer];
    }

    /// @inheritdoc ICoSignatures
    function coSignatureHash(bytes32 recordId, bytes32 contentDigest, address signer) public pure returns (bytes32) {
        return keccak256(abi.encode(CO_SIGNATURE_TYPEHASH, recordId, contentDigest, signer));
    }

    /// @inheritdoc ICoSignatures
    function policyProposal(uint256 proposalId) external view returns (PolicyProposal memory) {
        return _proposals[proposalId];
    }

    /// @inheritdoc ICoSignatures
    function policyProposalCount() external view returns (uint256) {
        return _proposalCount;
    }

    /// @inheritdoc ICoSignatures
    function hasApprovedPolicy(uint256 proposalId, uint32 organisationId) external view returns (bool) {
        return _votes.hasApproved(proposalId, organisationId);
    }

    /// @dev Checks and adds one co-signature of a batch. Emits {RecordCoSigned}.
    function _coSign(CoSignatureInput calldata input) private {
        IRecords.Record calldata record = input.record;
        bytes32 recordId = record.recordId;
        address signer = input.signer;
        uint64 anchoredAt = _requireAnchored(record, signer);
        bytes32 digest = _hashTypedDataV4(coSignatureHash(recordId, record.contentDigest, signer));
        // The record's patient signs with its current key (see {IPatientKeys-signerOf}).
        address key = signer == record.patient ? _consortium.signerOf(signer) : signer;
        if (!Signatures.isValidNowCalldata(key, digest, input.signature)) {
            revert CoSignaturesInvalidSignature(recordId, signer);
        }
        if (signer == record.author || _hasCoSigned[recordId][signer])
            revert CoSignaturesAlreadySigned(recordId, signer);

        uint8 role = Vocabulary.ROLE_PATIENT;
        uint32 organisationId;
        if (signer == record.patient) {
            organisationId = _consortium.patient(signer).organisationId;
        } else {
            organisationId = _consortium.activeOrganisationOf(signer);
            if (organisationId == 0) revert CoSignaturesNotActiveMember(recordId, signer);
            if (
                !_consents.checkGrant(
                    input.grantId,
                    signer,
                    record.patient,
                    record.category,
                    record.sensitivity,
                    Vocabulary.ACTION_READ
                )
            ) revert CoSignaturesNotAuthorised(recordId, signer, input.grantId);
            role = _consortium.member(signer).role;
        }
        address[] storage coSigners = _coSigners[recordId];
        if (coSigners.length >= MAX_CO_SIGNERS) revert CoSignaturesTooManySigners(recordId, signer);

        coSigners.push(signer);
        _hasCoSigned[recordId][signer] = true;
        bool finalised = _isFinal(record, _versionFor(record.category, anchoredAt));
        emit RecordCoSigned(recordId, record.patient, signer, role, organisationId, finalised);
    }

    /// @dev Returns the anchoring time of `record` if its fields hash to its anchored leaf, else reverts
    /// naming `signer`.
    function _requireAnchored(IRecords.Record calldata record, address signer) private view returns (uint64) {
        (uint64 anchoredAt, bool sameLeaf) = _records.anchorTimeOf(record);
        if (anchoredAt == 0) revert CoSignaturesUnknownRecord(record.recordId, signer);
        if (!sameLeaf) revert CoSignaturesRecordMismatch(record.recordId, signer);
        return anchoredAt;
    }

    /// @dev The version of `category`'s policy a record anchored at `anchoredAt` is judged by: the last one
    /// enacted in an earlier block (block timestamps strictly increase), 0 if none.
    function _versionFor(uint8 category, uint64 anchoredAt) private view returns (uint64) {
        Policy[] storage versions = _policies[category];
        uint256 version = versions.length;
        while (version > 0 && versions[version - 1].enactedAt >= anchoredAt) --version;
        return uint64(version);
    }

    /// @dev True if the author's signature and the co-signatures of `record` meet policy `version` of its
    /// category.
    function _isFinal(IRecords.Record calldata record, uint64 version) private view returns (bool) {
        if (version == 0) return true;
        Policy storage applicable = _policies[record.category][version - 1];
        address[] storage coSigners = _coSigners[record.recordId];
        if (applicable.patient && record.author != record.patient && !_hasCoSigned[record.recordId][record.patient]) {
            return false;
        }
        uint256 requirementCount = applicable.requirements.length;
        if (requirementCount == 0) return true;

        IConsortium.Member[] memory signers = new IConsortium.Member[](coSigners.length + 1);
        signers[0] = _consortium.member(record.author);
        for (uint256 i = 0; i < coSigners.length; ++i) {
            signers[i + 1] = _consortium.member(coSigners[i]);
        }
        uint32 authorOrganisationId =
            signers[0].organisationId != 0
                ? signers[0].organisationId
                : _consortium.patient(record.author).organisationId;
        for (uint256 r = 0; r < requirementCount; ++r) {
            Requirement storage requirement = applicable.requirements[r];
            uint256 counted = 0;
            for (uint256 s = 0; s < signers.length; ++s) {
                IConsortium.Member memory signer = signers[s];
                if (
                    signer.role == requirement.role &&
                    (!requirement.sameOrganisation || signer.organisationId == authorOrganisationId)
                ) ++counted;
            }
            if (counted < requirement.count) return false;
        }
        return true;
    }

    /// @dev Counts the vote of `approverOrganisationId` for a pending proposal and enacts it once two thirds of
    /// the active organisations voted for it. Emits {PolicyApproved} and possibly {PolicyChanged}.
    function _approve(uint256 proposalId, PolicyProposal storage proposal, uint32 approverOrganisationId) private {
        (uint32 approvals, bool passed) = _votes.approve(
            proposalId,
            approverOrganisationId,
            proposal.approvals,
            _consortium.activeOrganisationCount()
        );
        proposal.approvals = approvals;
        emit PolicyApproved(proposalId, approverOrganisationId, approvals);
        if (!passed) return;

        proposal.enacted = true;
        Policy[] storage versions = _policies[proposal.category];
        Policy storage enacted = versions.push();
        for (uint256 i = 0; i < proposal.requirements.length; ++i) {
            enacted.requirements.push(proposal.requirements[i]);
        }
        enacted.patient = proposal.patient;
        enacted.enactedAt = uint64(block.timestamp);
        emit PolicyChanged(proposal.category, uint64(versions.length), proposal.requirements, proposal.patient);
    }

    /// @dev Returns the organisation of `admin` if it is an active admin of an active organisation, else reverts.
    function _requireActiveAdmin(address admin) private view returns (uint32 organisationId) {
        organisationId = _consortium.activeOrganisationOf(admin);
        if (organisationId == 0 || _consortium.member(admin).role != Vocabulary.ROLE_ADMIN) {
            revert CoSignaturesNotActiveAdmin(admin);
        }
    }

    /// @dev Reverts unless `category` is 0..15 and each requirement names a distinct member role, 1..16 times.
    function _requireValidPolicy(uint8 category, Requirement[] calldata requirements) private pure {
        if (category >= Vocabulary.CATEGORY_COUNT) revert CoSignaturesInvalidCategory(category);
        for (uint256 i = 0; i < requirements.length; ++i) {
            Requirement calldata requirement = requirements[i];
            if (requirement.role == 0 || requirement.role > Vocabulary.ROLE_COUNT)
                revert CoSignaturesInvalidRole(requirement.role);
            if (requirement.count == 0 || requirement.count > MAX_COUNT) {
                revert CoSignaturesInvalidCount(requirement.role, requirement.count);
            }
            for (uint256 j = 0; j < i; ++j) {
                if (requirements[j].role == requirement.role) revert CoSignaturesDuplicateRole(requirement.role);
            }
        }
    }

    /// @dev The EIP-712 encoding of a `Requirement[]`: the hash of its members' struct hashes, concatenated.
    function _hashRequirements(Requirement[] calldata requirements) private pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](requirements.length);
        for (uint256 i = 0; i < requirements.length; ++i) {
            hashes[i] = keccak256(abi.encode(REQUIREMENT_TYPEHASH, requirements[i]));
        }
        return keccak256(abi.encodePacked(hashes));
    }
}
