// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IConsents} from "./IConsents.sol";
import {IConsortium} from "./IConsortium.sol";
import {SignedActions} from "./SignedActions.sol";
import {Vocabulary} from "./Vocabulary.sol";

/**
 * @dev Patients' consents and members' access requests. Patients sign grants, revocations and denials
 * with their current key (`IPatientKeys.signerOf`); members sign requests; any gateway relays them.
 *
 * Grants are indexed per (patient, grantee) and per (patient, organisation), so an authorisation check
 * only looks at the grants that could apply.
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

    IConsortium private immutable _consortium;

    mapping(uint256 grantId => Grant) private _grants;
    mapping(uint256 requestId => AccessRequest) private _requests;
    mapping(address patient => uint256[] grantIds) private _patientGrants;
    mapping(address patient => mapping(address grantee => uint256[] grantIds)) private _memberGrants;
    mapping(address patient => mapping(uint32 organisationId => uint256[] grantIds)) private _organisationGrants;
    uint256 private _grantCount;
    uint256 private _requestCount;
    mapping(address patient => bool) private _homeRelayOnly;

    constructor(IConsortium consortium) SignedActions("medledger.Consents") {
        _consortium = consortium;
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
        _useSignatureOf(g.patient, _consortium.signerOf(g.patient), structHash, nonce, deadline, signature);
        _validateGrant(g);
        if (_homeRelayOnly[g.patient]) _requireHomeRelayer(g.patient);

        grantId = ++_grantCount;
        _grants[grantId] = Grant({
            patient: g.patient,
            grantee: g.grantee,
            granteeOrganisation: g.granteeOrganisation,
            categories: g.categories,
            maxSensitivity: g.maxSensitivity,
            actions: g.actions,
            purpose: g.purpose,
            expiresAt: g.expiresAt,
            requestId: g.requestId,
            grantedAt: uint64(block.timestamp),
            revoked: false
        });
        _patientGrants[g.patient].push(grantId);
        if (g.grantee != address(0)) {
            _memberGrants[g.patient][g.grantee].push(grantId);
        } else {
            _organisationGrants[g.patient][g.granteeOrganisation].push(grantId);
        }
        if (g.requestId != 0) {
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
        _useSignatureOf(patient, _consortium.signerOf(patient), structHash, nonce, deadline, signature);
        Grant storage revoked = _grants[grantId];
        if (revoked.patient == address(0)) revert ConsentsUnknownGrant(grantId);
        if (revoked.patient != patient) revert ConsentsNotGrantPatient(grantId, patient);
        if (revoked.revoked) revert ConsentsAlreadyRevoked(grantId);

        revoked.revoked = true;
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
        if (!_consortium.patient(patient).registered) revert ConsentsUnknownPatient(patient);
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
        if (!_consortium.patient(patient).registered) revert ConsentsUnknownPatient(patient);
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
    function grantOf(uint256 grantId) external view returns (Grant memory) {
        return _grants[grantId];
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
    function grantsOfPatient(address patient) external view returns (uint256[] memory) {
        return _patientGrants[patient];
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
        return
            category < Vocabulary.CATEGORY_COUNT && (categories >> category) & 1 == 1 && sensitivity <= maxSensitivity;
    }

    /// @inheritdoc IConsents
    function grantScope(
        uint256 grantId,
        address actor,
        address patient,
        uint8 action
    ) public view returns (uint32 organisationId, uint32 categories, uint8 maxSensitivity) {
        organisationId = _consortium.activeOrganisationOf(actor);
        Grant storage checked = _grants[grantId];
        if (
            organisationId == 0 ||
            patient == address(0) ||
            checked.patient != patient ||
            !(checked.grantee == actor || checked.granteeOrganisation == organisationId) ||
            !_inForceFor(checked, action)
        ) return (organisationId, 0, 0);
        return (organisationId, checked.categories, checked.maxSensitivity);
    }

    /// @inheritdoc IConsents
    function authorisingGrant(
        address actor,
        address patient,
        uint8 category,
        uint8 sensitivity,
        uint8 action
    ) public view returns (uint256) {
        uint32 organisationId = _consortium.activeOrganisationOf(actor);
        if (organisationId == 0) return 0;
        uint256 grantId = _newestCovering(_memberGrants[patient][actor], category, sensitivity, action);
        if (grantId != 0) return grantId;
        return _newestCovering(_organisationGrants[patient][organisationId], category, sensitivity, action);
    }

    /// @inheritdoc IConsents
    function isAuthorised(
        address actor,
        address patient,
        uint8 category,
        uint8 sensitivity,
        uint8 action
    ) external view returns (bool) {
        if (actor == patient) return _consortium.patient(patient).registered;
        return authorisingGrant(actor, patient, category, sensitivity, action) != 0;
    }

    /// @dev Reverts unless `g` is a valid grant for its patient (see {grant}).
    function _validateGrant(GrantInput calldata g) private view {
        if (!_consortium.patient(g.patient).registered) revert ConsentsUnknownPatient(g.patient);
        if ((g.grantee == address(0)) == (g.granteeOrganisation == 0)) {
            revert ConsentsInvalidGrantee(g.grantee, g.granteeOrganisation);
        }
        if (g.grantee != address(0)) {
            if (!_consortium.isActiveMember(g.grantee)) revert ConsentsInactiveMember(g.grantee);
        } else if (!_consortium.isActiveOrganisation(g.granteeOrganisation)) {
            revert ConsentsInactiveOrganisation(g.granteeOrganisation);
        }
        _validateScope(g.categories, g.actions);
        if (g.maxSensitivity > Vocabulary.MAX_SENSITIVITY) revert ConsentsInvalidSensitivity(g.maxSensitivity);
        if (g.expiresAt <= block.timestamp) revert ConsentsInvalidExpiry(g.expiresAt);
        if (g.requestId != 0) {
            AccessRequest storage request = _pendingRequest(g.requestId, g.patient);
            if (request.requester != g.grantee) revert ConsentsNotRequester(g.requestId, g.grantee);
        }
    }

    /// @dev Returns the relayer of the gateway of `patient`'s organisation (zero if none).
    function _homeRelayerOf(address patient) private view returns (address) {
        uint32 organisationId = _consortium.patient(patient).organisationId;
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

    /// @dev Returns the newest of `grantIds` that is in force and covers the access, or 0.
    function _newestCovering(
        uint256[] storage grantIds,
        uint8 category,
        uint8 sensitivity,
        uint8 action
    ) private view returns (uint256) {
        for (uint256 i = grantIds.length; i > 0; --i) {
            uint256 grantId = grantIds[i - 1];
            if (_covers(_grants[grantId], category, sensitivity, action)) return grantId;
        }
        return 0;
    }

    /// @dev Returns true if `g` is in force (not revoked, not expired) and covers the access.
    function _covers(Grant storage g, uint8 category, uint8 sensitivity, uint8 action) private view returns (bool) {
        return
            _inForceFor(g, action) &&
            category < Vocabulary.CATEGORY_COUNT &&
            (g.categories >> category) & 1 == 1 &&
            sensitivity <= g.maxSensitivity;
    }

    /// @dev Returns true if `g` is in force (not revoked, not expired) and allows `action` (non-zero).
    function _inForceFor(Grant storage g, uint8 action) private view returns (bool) {
        return !g.revoked && block.timestamp < g.expiresAt && action != 0 && g.actions & action == action;
    }
}
