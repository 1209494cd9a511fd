// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IConsortium} from "./IConsortium.sol";
import {PatientKeys} from "./PatientKeys.sol";
import {SignedActions} from "./SignedActions.sol";
import {Vocabulary} from "./Vocabulary.sol";
import {TwoThirdsVote} from "./utils/TwoThirdsVote.sol";

/**
 * @dev The consortium's registry of organisations, members and patients. Every change is signed by the
 * actor it concerns (EIP-712) and relayed by any gateway.
 */
contract Consortium is IConsortium, PatientKeys {
    using TwoThirdsVote for TwoThirdsVote.Votes;

    bytes32 private constant PROPOSE_ORGANISATION_TYPEHASH = keccak256(
        "ProposeOrganisation(string name,uint8 kind,address admin,bytes32 encryptionKey,string gatewayUrl,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant APPROVE_ORGANISATION_TYPEHASH = keccak256(
        "ApproveOrganisation(uint32 organisationId,address approver,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant ADD_MEMBER_TYPEHASH = keccak256(
        "AddMember(uint32 organisationId,address member,uint8 role,bytes32 encryptionKey,address admin,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant SUSPEND_MEMBER_TYPEHASH = keccak256(
        "SuspendMember(address member,address admin,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant SET_MEMBER_PROFILE_TYPEHASH = keccak256(
        "SetMemberProfile(address member,string name,string title,string department,address admin,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant REGISTER_PATIENT_TYPEHASH = keccak256(
        "RegisterPatient(address patient,bytes32 encryptionKey,uint32 organisationId,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant SET_GATEWAY_TYPEHASH = keccak256(
        "SetGateway(uint32 organisationId,string gatewayUrl,address relayer,address admin,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant PROPOSE_CUSTODY_TYPEHASH = keccak256(
        "ProposeCustody(uint32[] custodians,uint8 threshold,address admin,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant APPROVE_CUSTODY_TYPEHASH = keccak256(
        "ApproveCustody(uint256 proposalId,address approver,uint256 nonce,uint256 deadline)"
    );

    uint256 private constant MAX_CUSTODIANS = 16;
    uint256 private constant MAX_PROFILE_NAME_BYTES = 80;
    uint256 private constant MAX_PROFILE_TITLE_BYTES = 32;
    uint256 private constant MAX_PROFILE_DEPARTMENT_BYTES = 80;

    mapping(uint32 organisationId => Organisation) private _organisations;
    TwoThirdsVote.Votes private _admissionVotes;
    mapping(address account => Member) private _members;
    /// @dev A registered patient, in two slots: its number, organisation and rotated key (zero until it
    /// rotates its key, see {PatientKeys}), read together whenever a patient signs; then its encryption key.
    struct PatientEntry {
        uint32 index;
        uint32 organisationId;
        address signer;
        bytes32 encryptionKey;
    }

    mapping(address account => PatientEntry) private _patients;
    mapping(uint32 index => address patient) private _patientAddresses;
    uint32 private _organisationCount;
    uint32 private _activeOrganisationCount;
    uint32 private _patientCount;

    mapping(uint32 organisationId => address relayer) private _relayers;
    mapping(uint256 proposalId => CustodyProposal) private _custodyProposals;
    TwoThirdsVote.Votes private _custodyVotes;
    uint256 private _custodyProposalCount;
    uint32[] private _custodians;
    uint8 private _custodyThreshold;
    uint64 private _custodyVersion;

    constructor() SignedActions("medledger.Consortium") {}

    /// @inheritdoc IConsortium
    function proposeOrganisation(
        string calldata name,
        uint8 kind,
        address admin,
        bytes32 encryptionKey,
        string calldata gatewayUrl,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint32 organisationId) {
        bytes32 structHash = keccak256(
            abi.encode(
                PROPOSE_ORGANISATION_TYPEHASH,
                keccak256(bytes(name)),
                kind,
                admin,
                encryptionKey,
                keccak256(bytes(gatewayUrl)),
                nonce,
                deadline
            )
        );
        _useSignature(admin, structHash, nonce, deadline, signature);
        if (bytes(name).length == 0) revert ConsortiumEmptyName();
        if (kind == 0 || kind > Vocabulary.KIND_COUNT) revert ConsortiumInvalidKind(kind);
        if (encryptionKey == 0) revert ConsortiumZeroEncryptionKey();
        _requireUnused(admin);

        organisationId = ++_organisationCount;
        Organisation storage proposed = _organisations[organisationId];
        proposed.name = name;
        proposed.kind = kind;
        proposed.status = Vocabulary.ORGANISATION_PENDING;
        proposed.encryptionKey = encryptionKey;
        proposed.gatewayUrl = gatewayUrl;
        emit OrganisationProposed(organisationId, admin, name, kind, encryptionKey, gatewayUrl);

        _members[admin] = Member(organisationId, Vocabulary.ROLE_ADMIN, true, encryptionKey);
        emit MemberAdded(admin, organisationId, Vocabulary.ROLE_ADMIN, encryptionKey);

        if (_activeOrganisationCount == 0) _activate(organisationId);
    }

    /// @inheritdoc IConsortium
    function approveOrganisation(
        uint32 organisationId,
        address approver,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(APPROVE_ORGANISATION_TYPEHASH, organisationId, approver, nonce, deadline)
        );
        _useSignature(approver, structHash, nonce, deadline, signature);
        uint32 approverOrganisationId = _members[approver].organisationId;
        _requireActiveAdmin(approver, approverOrganisationId);
        Organisation storage candidate = _organisations[organisationId];
        if (candidate.status != Vocabulary.ORGANISATION_PENDING)
            revert ConsortiumOrganisationNotPending(organisationId);
        if (_admissionVotes.hasApproved(organisationId, approverOrganisationId)) {
            revert ConsortiumAlreadyApproved(organisationId, approverOrganisationId);
        }

        (uint32 approvals, bool passed) = _admissionVotes.approve(
            organisationId,
            approverOrganisationId,
            candidate.approvals,
            _activeOrganisationCount
        );
        candidate.approvals = approvals;
        emit OrganisationApproved(organisationId, approverOrganisationId, approver, approvals);

        if (passed) _activate(organisationId);
    }

    /// @inheritdoc IConsortium
    function addMember(
        uint32 organisationId,
        address member_,
        uint8 role,
        bytes32 encryptionKey,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(ADD_MEMBER_TYPEHASH, organisationId, member_, role, encryptionKey, admin, nonce, deadline)
        );
        _useSignature(admin, structHash, nonce, deadline, signature);
        _requireActiveAdmin(admin, organisationId);
        if (member_ == address(0)) revert ConsortiumZeroAddress();
        if (role == 0 || role > Vocabulary.ROLE_COUNT) revert ConsortiumInvalidRole(role);
        if (encryptionKey == 0) revert ConsortiumZeroEncryptionKey();
        _requireUnused(member_);

        _members[member_] = Member(organisationId, role, true, encryptionKey);
        emit MemberAdded(member_, organisationId, role, encryptionKey);
    }

    /// @inheritdoc IConsortium
    function suspendMember(
        address member_,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(SUSPEND_MEMBER_TYPEHASH, member_, admin, nonce, deadline));
        _useSignature(admin, structHash, nonce, deadline, signature);
        Member storage suspended = _members[member_];
        uint32 organisationId = suspended.organisationId;
        if (organisationId == 0) revert ConsortiumUnknownMember(member_);
        _requireActiveAdmin(admin, organisationId);
        if (member_ == admin) revert ConsortiumCannotSuspendSelf(admin);
        if (!suspended.active) revert ConsortiumMemberAlreadySuspended(member_);

        suspended.active = false;
        emit MemberSuspended(member_, organisationId);
    }

    /// @inheritdoc IConsortium
    function setMemberProfile(
        address member_,
        string calldata name,
        string calldata title,
        string calldata department,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(
                SET_MEMBER_PROFILE_TYPEHASH,
                member_,
                keccak256(bytes(name)),
                keccak256(bytes(title)),
                keccak256(bytes(department)),
                admin,
                nonce,
                deadline
            )
        );
        _useSignature(admin, structHash, nonce, deadline, signature);
        uint32 organisationId = _members[member_].organisationId;
        if (organisationId == 0) revert ConsortiumUnknownMember(member_);
        _requireActiveAdmin(admin, organisationId);
        uint256 nameLength = bytes(name).length;
        if (
            nameLength == 0 ||
            nameLength > MAX_PROFILE_NAME_BYTES ||
            bytes(title).length > MAX_PROFILE_TITLE_BYTES ||
            bytes(department).length > MAX_PROFILE_DEPARTMENT_BYTES
        ) revert ConsortiumInvalidProfile(nameLength, bytes(title).length, bytes(department).length);

        emit MemberProfileSet(member_, organisationId, name, title, department);
    }

    /// @inheritdoc IConsortium
    function registerPatient(
        address patient_,
        bytes32 encryptionKey,
        uint32 organisationId,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(REGISTER_PATIENT_TYPEHASH, patient_, encryptionKey, organisationId, nonce, deadline)
        );
        _useSignature(patient_, structHash, nonce, deadline, signature);
        if (encryptionKey == 0) revert ConsortiumZeroEncryptionKey();
        if (organisationId != 0 && !isActiveOrganisation(organisationId)) {
            revert ConsortiumOrganisationNotActive(organisationId);
        }
        _requireUnused(patient_);

        uint32 index = ++_patientCount;
        _patients[patient_] = PatientEntry(index, organisationId, address(0), encryptionKey);
        _patientAddresses[index] = patient_;
        emit PatientRegistered(patient_, organisationId, encryptionKey);
    }

    /// @inheritdoc IConsortium
    function setGateway(
        uint32 organisationId,
        string calldata gatewayUrl,
        address relayer,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(
                SET_GATEWAY_TYPEHASH,
                organisationId,
                keccak256(bytes(gatewayUrl)),
                relayer,
                admin,
                nonce,
                deadline
            )
        );
        _useSignature(admin, structHash, nonce, deadline, signature);
        _requireActiveAdmin(admin, organisationId);

        _organisations[organisationId].gatewayUrl = gatewayUrl;
        _relayers[organisationId] = relayer;
        emit GatewaySet(organisationId, gatewayUrl, relayer);
    }

    /// @inheritdoc IConsortium
    function proposeCustody(
        uint32[] calldata custodians,
        uint8 threshold,
        address admin,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 proposalId) {
        bytes32 structHash = keccak256(
            abi.encode(
                PROPOSE_CUSTODY_TYPEHASH,
                keccak256(abi.encodePacked(custodians)),
                threshold,
                admin,
                nonce,
                deadline
            )
        );
        _useSignature(admin, structHash, nonce, deadline, signature);
        uint32 proposerOrganisationId = _members[admin].organisationId;
        _requireActiveAdmin(admin, proposerOrganisationId);
        _requireValidCustody(custodians, threshold);

        proposalId = ++_custodyProposalCount;
        CustodyProposal storage proposal = _custodyProposals[proposalId];
        proposal.custodians = custodians;
        proposal.threshold = threshold;
        proposal.proposerOrganisationId = proposerOrganisationId;
        proposal.baseVersion = _custodyVersion;
        emit CustodyProposed(proposalId, custodians, threshold);

        _approveCustody(proposalId, proposal, proposerOrganisationId);
    }

    /// @inheritdoc IConsortium
    function approveCustody(
        uint256 proposalId,
        address approver,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(APPROVE_CUSTODY_TYPEHASH, proposalId, approver, nonce, deadline));
        _useSignature(approver, structHash, nonce, deadline, signature);
        uint32 approverOrganisationId = _members[approver].organisationId;
        _requireActiveAdmin(approver, approverOrganisationId);
        CustodyProposal storage proposal = _custodyProposals[proposalId];
        if (
            !TwoThirdsVote.isPending(
                proposalId,
                _custodyProposalCount,
                proposal.enacted,
                proposal.baseVersion,
                _custodyVersion
            )
        ) revert ConsortiumCustodyProposalNotPending(proposalId);
        if (_custodyVotes.hasApproved(proposalId, approverOrganisationId)) {
            revert ConsortiumCustodyAlreadyApproved(proposalId, approverOrganisationId);
        }

        _approveCustody(proposalId, proposal, approverOrganisationId);
    }

    /// @inheritdoc IConsortium
    function gatewayOf(uint32 organisationId) external view returns (string memory url, address relayer) {
        return (_organisations[organisationId].gatewayUrl, _relayers[organisationId]);
    }

    /// @inheritdoc IConsortium
    function gatewayRelayerOf(uint32 organisationId) external view returns (address) {
        return _relayers[organisationId];
    }

    /// @inheritdoc IConsortium
    function custody() external view returns (uint32[] memory custodians, uint8 threshold, uint64 version) {
        return (_custodians, _custodyThreshold, _custodyVersion);
    }

    /// @inheritdoc IConsortium
    function custodyProposal(uint256 proposalId) external view returns (CustodyProposal memory) {
        return _custodyProposals[proposalId];
    }

    /// @inheritdoc IConsortium
    function custodyProposalCount() external view returns (uint256) {
        return _custodyProposalCount;
    }

    /// @inheritdoc IConsortium
    function hasApprovedCustody(uint256 proposalId, uint32 organisationId) external view returns (bool) {
        return _custodyVotes.hasApproved(proposalId, organisationId);
    }

    /// @inheritdoc IConsortium
    function organisation(uint32 organisationId) external view returns (Organisation memory) {
        return _organisations[organisationId];
    }

    /// @inheritdoc IConsortium
    function organisationCount() external view returns (uint32) {
        return _organisationCount;
    }

    /// @inheritdoc IConsortium
    function activeOrganisationCount() external view returns (uint32) {
        return _activeOrganisationCount;
    }

    /// @inheritdoc IConsortium
    function isActiveOrganisation(uint32 organisationId) public view returns (bool) {
        return _organisations[organisationId].status == Vocabulary.ORGANISATION_ACTIVE;
    }

    /// @inheritdoc IConsortium
    function member(address account) external view returns (Member memory) {
        return _members[account];
    }

    /// @inheritdoc IConsortium
    function patient(address account) external view returns (Patient memory) {
        PatientEntry storage entry = _patients[account];
        return Patient(entry.index != 0, entry.encryptionKey, entry.organisationId);
    }

    /// @inheritdoc IConsortium
    function patientIndexOf(address account) external view returns (uint32 index, uint32 organisationId) {
        PatientEntry storage entry = _patients[account];
        return (entry.index, entry.organisationId);
    }

    /// @inheritdoc IConsortium
    function patientSigner(address account) external view returns (uint32 index, address signer) {
        PatientEntry storage entry = _patients[account];
        signer = entry.signer;
        return (entry.index, signer == address(0) ? account : signer);
    }

    /// @inheritdoc IConsortium
    function organisationAndPatientIndex(
        address actor,
        address patient_
    ) external view returns (uint32 organisationId, uint32 patientIndex) {
        return (activeOrganisationOf(actor), _patients[patient_].index);
    }

    /// @inheritdoc IConsortium
    function patientAt(uint32 index) external view returns (address) {
        return _patientAddresses[index];
    }

    /// @inheritdoc IConsortium
    function isActiveMember(address account) external view returns (bool) {
        return activeOrganisationOf(account) != 0;
    }

    /// @inheritdoc IConsortium
    function activeOrganisationOf(address account) public view returns (uint32) {
        Member storage membership = _members[account];
        uint32 organisationId = membership.organisationId;
        return membership.active && isActiveOrganisation(organisationId) ? organisationId : 0;
    }

    /// @inheritdoc IConsortium
    function hasApproved(uint32 organisationId, uint32 approverOrganisationId) external view returns (bool) {
        return _admissionVotes.hasApproved(organisationId, approverOrganisationId);
    }

    /// @dev Activates a pending organisation. Emits {OrganisationActivated}.
    function _activate(uint32 organisationId) private {
        _organisations[organisationId].status = Vocabulary.ORGANISATION_ACTIVE;
        ++_activeOrganisationCount;
        emit OrganisationActivated(organisationId);
    }

    /// @dev Counts the vote of `approverOrganisationId` for a pending custody proposal and enacts the proposal
    /// once two thirds of the active organisations voted for it. Emits {CustodyApproved} and possibly
    /// {CustodyChanged}.
    function _approveCustody(
        uint256 proposalId,
        CustodyProposal storage proposal,
        uint32 approverOrganisationId
    ) private {
        (uint32 approvals, bool passed) = _custodyVotes.approve(
            proposalId,
            approverOrganisationId,
            proposal.approvals,
            _activeOrganisationCount
        );
        proposal.approvals = approvals;
        emit CustodyApproved(proposalId, approverOrganisationId, approvals);
        if (!passed) return;

        proposal.enacted = true;
        uint32[] memory custodians = proposal.custodians;
        uint8 threshold = proposal.threshold;
        uint64 version = ++_custodyVersion;
        _custodians = custodians;
        _custodyThreshold = threshold;
        emit CustodyChanged(version, custodians, threshold);
    }

    /// @dev Reverts unless `custodians` are at most 16 distinct active organisations and `threshold` is
    /// 1..`custodians.length`.
    function _requireValidCustody(uint32[] calldata custodians, uint8 threshold) private view {
        uint256 count = custodians.length;
        if (count > MAX_CUSTODIANS) revert ConsortiumTooManyCustodians(count);
        if (threshold == 0 || threshold > count) revert ConsortiumInvalidCustodyThreshold(threshold, count);
        for (uint256 i = 0; i < count; ++i) {
            uint32 custodian = custodians[i];
            if (!isActiveOrganisation(custodian)) revert ConsortiumOrganisationNotActive(custodian);
            for (uint256 j = 0; j < i; ++j) {
                if (custodians[j] == custodian) revert ConsortiumDuplicateCustodian(custodian);
            }
        }
    }

    /// @dev Reverts unless `admin` is an active admin of the active organisation `organisationId`.
    function _requireActiveAdmin(address admin, uint32 organisationId) private view {
        Member storage membership = _members[admin];
        if (
            organisationId == 0 ||
            membership.organisationId != organisationId ||
            membership.role != Vocabulary.ROLE_ADMIN ||
            activeOrganisationOf(admin) == 0
        ) revert ConsortiumNotActiveAdmin(admin, organisationId);
    }

    /// @dev Reverts if `account` is already a member, a patient or a key a patient rotated to.
    function _requireUnused(address account) private view {
        if (_members[account].organisationId != 0 || _patients[account].index != 0 || _isPatientSigner(account)) {
            revert ConsortiumAddressTaken(account);
        }
    }

    /// @inheritdoc PatientKeys
    /// @param account The address asked about.
    /// @return True if `account` is a registered patient.
    function _isRegisteredPatient(address account) internal view override returns (bool) {
        return _patients[account].index != 0;
    }

    /// @inheritdoc PatientKeys
    /// @param account The address to be used as a new patient key.
    function _requireUnusedAccount(address account) internal view override {
        _requireUnused(account);
    }

    /// @inheritdoc PatientKeys
    /// @param account The address asked about.
    /// @return The patient's current key if it rotated one in, else zero.
    function _rotatedSignerOf(address account) internal view override returns (address) {
        return _patients[account].signer;
    }

    /// @inheritdoc PatientKeys
    /// @param patient_ The registered patient.
    /// @param signer Its new key.
    function _setRotatedSigner(address patient_, address signer) internal override {
        _patients[patient_].signer = signer;
    }

    /// @inheritdoc PatientKeys
    /// @param patient_ The registered patient.
    /// @param encryptionKey Its new X25519 encryption public key.
    function _setPatientEncryptionKey(address patient_, bytes32 encryptionKey) internal override {
        _patients[patient_].encryptionKey = encryptionKey;
    }
}
