// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IConsents} from "./IConsents.sol";
import {IConsortium} from "./IConsortium.sol";
import {IDelegates} from "./IDelegates.sol";
import {SignedActions} from "./SignedActions.sol";
import {Vocabulary} from "./Vocabulary.sol";

/**
 * @dev Patients' consents and members' access requests. Patients sign grants, revocations and denials
 * with their current key (`IPatientKeys.signerOf`); members sign requests; any gateway relays them.
 *
 * A grant is one storage slot (see {IConsents}); grants are not indexed on chain, so granting writes that
 * slot, the signer's nonce and the grant counter only. A grant to a patient's delegate ({IDelegates}) takes
 * one more slot: the delegate's registration it was made under.
 */
contract Consents is IConsents, SignedActions {
    bytes32 private constant GRANT_TYPEHASH = keccak256(
        "Grant(address patient,address grantee,uint32 granteeOrganisation,uint32 categories,uint8 maxSensitivity,uint8 actions,bytes32 purpose,uint64 expiresAt,uint256 requestId,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant REVOKE_TYPEHASH = keccak256(
        "Revoke(address patient,uint256 grantId,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant REQUEST_ACCESS_TYPEHASH = keccak256(
        "RequestAccess(address requester,address patient,uint32 categories,uint8 actions,bytes32 reasonHash,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant DENY_REQUEST_TYPEHASH = keccak256(
        "DenyRequest(address patient,uint256 requestId,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant SET_HOME_RELAY_ONLY_TYPEHASH = keccak256(
        "SetHomeRelayOnly(address patient,bool enabled,uint256 nonce,uint256 deadline)"
    );

    /// @dev A grant's storage slot: bits 0..159 the grantee (a member's address, or an organisation id when
    /// `ORGANISATION_BIT` is set), 160..191 the patient's number (`IConsortium.patientIndexOf`), 192..233 the
    /// expiry (42 bits), 234..249 the categories (`Vocabulary.CATEGORY_COUNT`, 16), 250..252 the actions, 253
    /// the highest sensitivity, 254 the organisation flag, 255 revoked.
    uint256 private constant PATIENT_SHIFT = 160;
    uint256 private constant EXPIRY_SHIFT = 192;
    uint256 private constant MAX_EXPIRY = (uint256(1) << 42) - 1;
    uint256 private constant CATEGORIES_SHIFT = 234;
    uint256 private constant ACTIONS_SHIFT = 250;
    uint256 private constant SENSITIVITY_SHIFT = 253;
    uint256 private constant ORGANISATION_BIT = uint256(1) << 254;
    uint256 private constant REVOKED_BIT = uint256(1) << 255;

    IConsortium private immutable _consortium;
    IDelegates private immutable _delegates;

    mapping(uint256 grantId => uint256 packed) private _grants;
    /// @dev For a grant to a delegate, the delegate's registration it was made under (see {IDelegates}).
    mapping(uint256 grantId => uint32 registration) private _delegateRegistrations;
    mapping(uint256 grantId => uint256 requestId) private _grantRequests;
    mapping(uint256 requestId => AccessRequest) private _requests;
    uint256 private _grantCount;
    uint256 private _requestCount;
    mapping(address patient => bool) private _homeRelayOnly;

    constructor(IConsortium consortium, IDelegates delegates) SignedActions("medledger.Consents") {
        _consortium = consortium;
        _delegates = delegates;
    }

    /// @inheritdoc IConsents
    function grant(
        GrantInput calldata g,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 grantId) {
        // GrantInput has only static fields, so abi.encode lays them out one word each, as EIP-712 encodeData.
        bytes32 structHash = keccak256(abi.encode(GRANT_TYPEHASH, g, nonce, deadline));
        (uint32 patientIndex, address signer) = _consortium.patientSigner(g.patient);
        _useSignatureOf(g.patient, signer, structHash, nonce, deadline, signature);
        uint32 delegateRegistration = _validateGrant(g, patientIndex);
        if (_homeRelayOnly[g.patient]) _requireHomeRelayer(g.patient);

        grantId = ++_grantCount;
        if (delegateRegistration != 0) _delegateRegistrations[grantId] = delegateRegistration;
        uint256 grantee =
            g.grantee != address(0) ? uint256(uint160(g.grantee)) : uint256(g.granteeOrganisation) | ORGANISATION_BIT;
        uint256 expiresAt = g.expiresAt > MAX_EXPIRY ? MAX_EXPIRY : g.expiresAt;
        _grants[grantId] =
            grantee |
            (uint256(patientIndex) << PATIENT_SHIFT) |
            (expiresAt << EXPIRY_SHIFT) |
            (uint256(g.categories) << CATEGORIES_SHIFT) |
            (uint256(g.actions) << ACTIONS_SHIFT) |
            (uint256(g.maxSensitivity) << SENSITIVITY_SHIFT);
        if (g.requestId != 0) {
            _grantRequests[grantId] = g.requestId;
            AccessRequest storage request = _requests[g.requestId];
            request.status = Vocabulary.REQUEST_APPROVED;
            request.grantId = grantId;
        }
        emit ConsentGranted(
            grantId,
            g.patient,
            g.grantee,
            g.granteeOrganisation,
            g.categories,
            g.maxSensitivity,
            g.actions,
            g.purpose,
            g.expiresAt,
            g.requestId
        );
    }

    /// @inheritdoc IConsents
    function revoke(
        address patient,
        uint256 grantId,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(REVOKE_TYPEHASH, patient, grantId, nonce, deadline));
        (uint32 patientIndex, address signer) = _consortium.patientSigner(patient);
        _verifySignature(signer, structHash, deadline, signature);
        uint256 packed = _grants[grantId];
        if (packed == 0) revert ConsentsUnknownGrant(grantId);
        if (patientIndex == 0 || uint32(packed >> PATIENT_SHIFT) != patientIndex) {
            revert ConsentsNotGrantPatient(grantId, patient);
        }
        if (packed & REVOKED_BIT != 0) revert ConsentsAlreadyRevoked(grantId);

        _grants[grantId] = packed | REVOKED_BIT;
        emit ConsentRevoked(grantId, patient);
    }

    /// @inheritdoc IConsents
    function requestAccess(
        address requester,
        address patient,
        uint32 categories,
        uint8 actions,
        bytes32 reasonHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 requestId) {
        bytes32 structHash = keccak256(
            abi.encode(REQUEST_ACCESS_TYPEHASH, requester, patient, categories, actions, reasonHash, nonce, deadline)
        );
        _useSignature(requester, structHash, nonce, deadline, signature);
        if (!_consortium.isActiveMember(requester)) revert ConsentsInactiveMember(requester);
        (uint32 patientIndex, ) = _consortium.patientIndexOf(patient);
        if (patientIndex == 0) revert ConsentsUnknownPatient(patient);
        _validateScope(categories, actions);

        requestId = ++_requestCount;
        _requests[requestId] = AccessRequest(
            requester,
            patient,
            categories,
            actions,
            reasonHash,
            Vocabulary.REQUEST_PENDING,
            0
        );
        emit AccessRequested(requestId, patient, requester, categories, actions, reasonHash);
    }

    /// @inheritdoc IConsents
    function denyRequest(
        address patient,
        uint256 requestId,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(DENY_REQUEST_TYPEHASH, patient, requestId, nonce, deadline));
        _useSignatureOf(patient, _consortium.signerOf(patient), structHash, nonce, deadline, signature);
        AccessRequest storage request = _pendingRequest(requestId, patient);

        request.status = Vocabulary.REQUEST_DENIED;
        emit AccessRequestDenied(requestId, patient);
    }

    /// @inheritdoc IConsents
    function setHomeRelayOnly(
        address patient,
        bool enabled,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(SET_HOME_RELAY_ONLY_TYPEHASH, patient, enabled, nonce, deadline));
        _useSignatureOf(patient, _consortium.signerOf(patient), structHash, nonce, deadline, signature);
        (uint32 patientIndex, ) = _consortium.patientIndexOf(patient);
        if (patientIndex == 0) revert ConsentsUnknownPatient(patient);
        if (enabled) {
            if (_homeRelayerOf(patient) == address(0)) revert ConsentsNoHomeGateway(patient);
        } else if (_homeRelayOnly[patient]) {
            _requireHomeRelayer(patient);
        }

        _homeRelayOnly[patient] = enabled;
        emit HomeRelaySet(patient, enabled);
    }

    /// @inheritdoc IConsents
    function homeRelayOnly(address patient) external view returns (bool) {
        return _homeRelayOnly[patient];
    }

    /// @inheritdoc IConsents
    function grantOf(uint256 grantId) external view returns (Grant memory result) {
        uint256 packed = _grants[grantId];
        if (packed == 0) return result;
        result.patient = _consortium.patientAt(uint32(packed >> PATIENT_SHIFT));
        if (packed & ORGANISATION_BIT != 0) result.granteeOrganisation = uint32(packed);
        else result.grantee = address(uint160(packed));
        result.categories = uint32((packed >> CATEGORIES_SHIFT) & Vocabulary.ALL_CATEGORIES);
        result.maxSensitivity = uint8((packed >> SENSITIVITY_SHIFT) & 1);
        result.actions = uint8((packed >> ACTIONS_SHIFT) & Vocabulary.ALL_ACTIONS);
        result.expiresAt = uint64((packed >> EXPIRY_SHIFT) & MAX_EXPIRY);
        result.requestId = _grantRequests[grantId];
        result.revoked = packed & REVOKED_BIT != 0;
    }

    /// @inheritdoc IConsents
    function requestOf(uint256 requestId) external view returns (AccessRequest memory) {
        return _requests[requestId];
    }

    /// @inheritdoc IConsents
    function grantCount() external view returns (uint256) {
        return _grantCount;
    }

    /// @inheritdoc IConsents
    function requestCount() external view returns (uint256) {
        return _requestCount;
    }

    /// @inheritdoc IConsents
    function checkGrant(
        uint256 grantId,
        address actor,
        address patient,
        uint8 category,
        uint8 sensitivity,
        uint8 action
    ) external view returns (bool) {
        (, uint32 categories, uint8 maxSensitivity) = grantScope(grantId, actor, patient, action);
        return _inScope(categories, maxSensitivity, category, sensitivity);
    }

    /// @inheritdoc IConsents
    function grantScope(
        uint256 grantId,
        address actor,
        address patient,
        uint8 action
    ) public view returns (uint32 organisationId, uint32 categories, uint8 maxSensitivity) {
        uint32 patientIndex;
        (organisationId, patientIndex) = _consortium.organisationAndPatientIndex(actor, patient);
        if (organisationId != 0) {
            (categories, maxSensitivity) = _scopeOf(_grants[grantId], actor, organisationId, patientIndex, action);
        } else {
            (uint32 categoryLimit, uint32 registration) = _delegates.delegateScope(patient, actor);
            (categories, maxSensitivity) = _delegateScopeOf(
                grantId,
                actor,
                patientIndex,
                action,
                categoryLimit,
                registration
            );
        }
    }

    /// @inheritdoc IConsents
    function authorisingGrant(
        uint256[] calldata grantIds,
        address actor,
        address patient,
        uint8 category,
        uint8 sensitivity,
        uint8 action
    ) public view returns (uint256) {
        (uint32 organisationId, uint32 patientIndex) = _consortium.organisationAndPatientIndex(actor, patient);
        uint32 categoryLimit;
        uint32 registration;
        if (organisationId == 0) (categoryLimit, registration) = _delegates.delegateScope(patient, actor);
        for (uint256 i = 0; i < grantIds.length; ++i) {
            uint256 grantId = grantIds[i];
            (uint32 categories, uint8 maxSensitivity) = organisationId != 0
                ? _scopeOf(_grants[grantId], actor, organisationId, patientIndex, action)
                : _delegateScopeOf(grantId, actor, patientIndex, action, categoryLimit, registration);
            if (_inScope(categories, maxSensitivity, category, sensitivity)) return grantId;
        }
        return 0;
    }

    /// @inheritdoc IConsents
    function isAuthorised(
        uint256[] calldata grantIds,
        address actor,
        address patient,
        uint8 category,
        uint8 sensitivity,
        uint8 action
    ) external view returns (bool) {
        if (actor == patient) {
            (uint32 patientIndex, ) = _consortium.patientIndexOf(patient);
            return patientIndex != 0;
        }
        return authorisingGrant(grantIds, actor, patient, category, sensitivity, action) != 0;
    }

    /// @dev Reverts unless `g` is a valid grant for its patient (see {grant}). Returns the grantee's
    /// registration as the patient's delegate if it is one (0 for a member or an organisation).
    function _validateGrant(
        GrantInput calldata g,
        uint32 patientIndex
    ) private view returns (uint32 delegateRegistration) {
        if (patientIndex == 0) revert ConsentsUnknownPatient(g.patient);
        if ((g.grantee == address(0)) == (g.granteeOrganisation == 0)) {
            revert ConsentsInvalidGrantee(g.grantee, g.granteeOrganisation);
        }
        _validateScope(g.categories, g.actions);
        if (g.grantee != address(0)) {
            if (!_consortium.isActiveMember(g.grantee)) {
                delegateRegistration = _validateDelegateGrant(g);
            }
        } else if (!_consortium.isActiveOrganisation(g.granteeOrganisation)) {
            revert ConsentsInactiveOrganisation(g.granteeOrganisation);
        }
        if (g.maxSensitivity > Vocabulary.MAX_SENSITIVITY) revert ConsentsInvalidSensitivity(g.maxSensitivity);
        if (g.expiresAt <= block.timestamp) revert ConsentsInvalidExpiry(g.expiresAt);
        if (g.requestId != 0) {
            AccessRequest storage request = _pendingRequest(g.requestId, g.patient);
            if (request.requester != g.grantee) revert ConsentsNotRequester(g.requestId, g.grantee);
        }
    }

    /// @dev Returns the registration of `g.grantee` as `g.patient`'s delegate, or reverts if it is none (a
    /// member that is suspended, or a stranger), if `g` reaches beyond its category limit, or if `g` allows
    /// more than reading.
    function _validateDelegateGrant(GrantInput calldata g) private view returns (uint32 registration) {
        uint32 categoryLimit;
        (categoryLimit, registration) = _delegates.delegateScope(g.patient, g.grantee);
        if (registration == 0) {
            if (_consortium.member(g.grantee).organisationId != 0) revert ConsentsInactiveMember(g.grantee);
            revert ConsentsGranteeNotMemberOrDelegate(g.grantee);
        }
        if (g.categories & ~categoryLimit != 0) {
            revert ConsentsBeyondDelegateLimit(g.grantee, g.categories, categoryLimit);
        }
        if (g.actions != Vocabulary.ACTION_READ) revert ConsentsDelegateReadOnly(g.grantee, g.actions);
    }

    /// @dev Returns the relayer of the gateway of `patient`'s organisation (zero if none).
    function _homeRelayerOf(address patient) private view returns (address) {
        (, uint32 organisationId) = _consortium.patientIndexOf(patient);
        return organisationId == 0 ? address(0) : _consortium.gatewayRelayerOf(organisationId);
    }

    /// @dev Reverts unless the sender is the relayer of `patient`'s home gateway.
    function _requireHomeRelayer(address patient) private view {
        if (msg.sender != _homeRelayerOf(patient)) revert ConsentsNotAuthorisedRelayer(patient, msg.sender);
    }

    /// @dev Reverts unless `categories` and `actions` are non-empty and within their masks.
    function _validateScope(uint32 categories, uint8 actions) private pure {
        if (categories == 0 || categories & ~Vocabulary.ALL_CATEGORIES != 0)
            revert ConsentsInvalidCategories(categories);
        if (actions == 0 || actions & ~Vocabulary.ALL_ACTIONS != 0) revert ConsentsInvalidActions(actions);
    }

    /// @dev Returns `requestId` if it is a pending request of `patient`, else reverts.
    function _pendingRequest(uint256 requestId, address patient) private view returns (AccessRequest storage request) {
        request = _requests[requestId];
        if (request.status == 0) revert ConsentsUnknownRequest(requestId);
        if (request.patient != patient) revert ConsentsNotRequestPatient(requestId, patient);
        if (request.status != Vocabulary.REQUEST_PENDING) revert ConsentsRequestNotPending(requestId, request.status);
    }

    /// @dev Returns the categories and highest sensitivity for which the grant stored as `packed` lets `actor`
    /// (of active organisation `organisationId`, 0 if none) perform `action` on the records of the patient
    /// numbered `patientIndex` now: categories 0 if it does not (unknown grant, another patient's, another
    /// grantee's, revoked, expired, or not covering `action`).
    function _scopeOf(
        uint256 packed,
        address actor,
        uint32 organisationId,
        uint32 patientIndex,
        uint8 action
    ) private view returns (uint32 categories, uint8 maxSensitivity) {
        bool toActor =
            packed & ORGANISATION_BIT != 0 ? uint32(packed) == organisationId : address(uint160(packed)) == actor;
        uint8 actions = uint8((packed >> ACTIONS_SHIFT) & Vocabulary.ALL_ACTIONS);
        if (
            packed == 0 ||
            organisationId == 0 ||
            patientIndex == 0 ||
            uint32(packed >> PATIENT_SHIFT) != patientIndex ||
            !toActor ||
            packed & REVOKED_BIT != 0 ||
            block.timestamp >= (packed >> EXPIRY_SHIFT) & MAX_EXPIRY ||
            action == 0 ||
            actions & action != action
        ) return (0, 0);
        return (
            uint32((packed >> CATEGORIES_SHIFT) & Vocabulary.ALL_CATEGORIES),
            uint8((packed >> SENSITIVITY_SHIFT) & 1)
        );
    }

    /// @dev {_scopeOf} for `actor`, not an active member: what grant `grantId` lets it do as a delegate of the
    /// patient numbered `patientIndex`, registered now with `categoryLimit` under `registration` (0 if it is
    /// not an active delegate). A grant made under an earlier registration, or to an organisation, does not
    /// apply; the delegate's current limit narrows the grant's categories.
    function _delegateScopeOf(
        uint256 grantId,
        address actor,
        uint32 patientIndex,
        uint8 action,
        uint32 categoryLimit,
        uint32 registration
    ) private view returns (uint32 categories, uint8 maxSensitivity) {
        uint256 packed = _grants[grantId];
        if (registration == 0 || packed & ORGANISATION_BIT != 0 || _delegateRegistrations[grantId] != registration)
            return (0, 0);
        (categories, maxSensitivity) = _scopeOf(packed, actor, type(uint32).max, patientIndex, action);
        categories &= categoryLimit;
    }

    /// @dev True if `category` is one of `categories` and `sensitivity` is at most `maxSensitivity`.
    function _inScope(
        uint32 categories,
        uint8 maxSensitivity,
        uint8 category,
        uint8 sensitivity
    ) private pure returns (bool) {
        return
            category < Vocabulary.CATEGORY_COUNT && (categories >> category) & 1 == 1 && sensitivity <= maxSensitivity;
    }
}
