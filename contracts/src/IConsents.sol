// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ISignedActions} from "./ISignedActions.sol";

/**
 * @dev Patients' consents: grants of access to a member or to a whole organisation, scoped by record
 * categories (bitmask of 12 categories), a maximum sensitivity (0 normal, 1 restricted), actions (bitmask:
 * read 1, append 2, share 4) and an expiry; revocations; and members' access requests.
 *
 * Request status is 0 none, 1 pending, 2 approved (by a grant), 3 denied.
 */
interface IConsents is ISignedActions {
    /// @dev A grant as the patient signs it (the typed `Grant` without its nonce and deadline).
    struct GrantInput {
        address patient;
        address grantee;
        uint32 granteeOrganisation;
        uint32 categories;
        uint8 maxSensitivity;
        uint8 actions;
        bytes32 purpose;
        uint64 expiresAt;
        uint256 requestId;
    }

    struct Grant {
        address patient;
        address grantee;
        uint32 granteeOrganisation;
        uint32 categories;
        uint8 maxSensitivity;
        uint8 actions;
        bytes32 purpose;
        uint64 expiresAt;
        uint256 requestId;
        uint64 grantedAt;
        bool revoked;
    }

    struct AccessRequest {
        address requester;
        address patient;
        uint32 categories;
        uint8 actions;
        bytes32 reasonHash;
        uint8 status;
        uint256 grantId;
    }

    event ConsentGranted(
        uint256 indexed grantId,
        address indexed patient,
        address indexed grantee,
        uint32 granteeOrganisation,
        uint32 categories,
        uint8 maxSensitivity,
        uint8 actions,
        bytes32 purpose,
        uint64 expiresAt,
        uint256 requestId
    );

    event ConsentRevoked(uint256 indexed grantId, address indexed patient);

    /// @dev `requester` asked `patient` for access; the reason text stays off chain, `reasonHash` is its hash.
    event AccessRequested(
        uint256 indexed requestId,
        address indexed patient,
        address indexed requester,
        uint32 categories,
        uint8 actions,
        bytes32 reasonHash
    );

    event AccessRequestDenied(uint256 indexed requestId, address indexed patient);

    /// @dev `patient`'s grants are now relayed only by its home gateway (`enabled`), or by any gateway.
    event HomeRelaySet(address indexed patient, bool enabled);

    /// @dev `patient` is not a registered patient.
    error ConsentsUnknownPatient(address patient);

    /// @dev Not exactly one of `grantee` and `granteeOrganisation` is set.
    error ConsentsInvalidGrantee(address grantee, uint32 granteeOrganisation);

    /// @dev `account` is not an active member of an active organisation.
    error ConsentsInactiveMember(address account);

    /// @dev `organisationId` is not an active organisation.
    error ConsentsInactiveOrganisation(uint32 organisationId);

    /// @dev `categories` is zero or has bits beyond the 12 categories.
    error ConsentsInvalidCategories(uint32 categories);

    /// @dev `actions` is zero or has bits beyond read, append and share.
    error ConsentsInvalidActions(uint8 actions);

    /// @dev `maxSensitivity` is above 1 (restricted).
    error ConsentsInvalidSensitivity(uint8 maxSensitivity);

    /// @dev `expiresAt` is not in the future.
    error ConsentsInvalidExpiry(uint64 expiresAt);

    /// @dev `grantId` does not exist.
    error ConsentsUnknownGrant(uint256 grantId);

    /// @dev `patient` is not the patient of `grantId`.
    error ConsentsNotGrantPatient(uint256 grantId, address patient);

    /// @dev `grantId` is already revoked.
    error ConsentsAlreadyRevoked(uint256 grantId);

    /// @dev `requestId` does not exist.
    error ConsentsUnknownRequest(uint256 requestId);

    /// @dev `patient` is not the patient of `requestId`.
    error ConsentsNotRequestPatient(uint256 requestId, address patient);

    /// @dev `requestId` is no longer pending: its `status` is approved (2) or denied (3).
    error ConsentsRequestNotPending(uint256 requestId, uint8 status);

    /// @dev A grant answering `requestId` goes to `grantee`, who is not its requester.
    error ConsentsNotRequester(uint256 requestId, address grantee);

    /// @dev `patient` asks that only its home gateway relay its grants, but is attached to no organisation
    /// whose gateway relays from a published address.
    error ConsentsNoHomeGateway(address patient);

    /// @dev `patient`'s grants (and the lifting of this rule) are relayed only by the relayer of its home
    /// gateway, not by `sender`.
    error ConsentsNotAuthorisedRelayer(address patient, address sender);

    /**
     * @dev Grants access to `g.grantee` (a member) or to every member of `g.granteeOrganisation`. When
     * `g.requestId` is not 0 the grant answers that request, which becomes approved.
     *
     * Requirements:
     *
     * - a valid signature by `g.patient` of `Grant`, unused nonce, deadline not passed.
     * - `g.patient` is registered.
     * - exactly one of `g.grantee` (an active member) and `g.granteeOrganisation` (an active organisation).
     * - `g.categories` non-zero within 12 bits, `g.actions` non-zero within 3 bits, `g.maxSensitivity` at
     *   most 1, `g.expiresAt` after `block.timestamp`.
     * - if `g.requestId` is not 0: a pending request of `g.patient` whose requester is `g.grantee`.
     * - if `g.patient` asked for it ({setHomeRelayOnly}), the sender is its home gateway's relayer.
     *
     * Emits {ConsentGranted}.
     */
    function grant(
        GrantInput calldata g,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 grantId);

    /**
     * @dev Revokes `grantId`: it never authorises again.
     *
     * Requirements:
     *
     * - a valid signature by `patient` of `Revoke`, unused nonce, deadline not passed.
     * - `grantId` exists, is `patient`'s and is not revoked.
     *
     * Emits {ConsentRevoked}.
     */
    function revoke(
        address patient,
        uint256 grantId,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Asks `patient` for access; the patient answers with {grant} (citing the request) or {denyRequest}.
     *
     * Requirements:
     *
     * - a valid signature by `requester` of `RequestAccess`, unused nonce, deadline not passed.
     * - `requester` is an active member; `patient` is registered.
     * - `categories` and `actions` as for {grant}.
     *
     * Emits {AccessRequested}.
     */
    function requestAccess(
        address requester,
        address patient,
        uint32 categories,
        uint8 actions,
        bytes32 reasonHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 requestId);

    /**
     * @dev Denies the pending request `requestId`.
     *
     * Requirements:
     *
     * - a valid signature by `patient` of `DenyRequest`, unused nonce, deadline not passed.
     * - `requestId` exists, is `patient`'s and is pending.
     *
     * Emits {AccessRequestDenied}.
     */
    function denyRequest(
        address patient,
        uint256 requestId,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Lets only `patient`'s home gateway (the gateway of the organisation it registered with, as published
     * in the consortium) relay its grants, or lifts that rule. A gateway that asks its patients for a second
     * factor before relaying their grants can thus not be bypassed through another gateway. Revocations and
     * denials stay relayable by any gateway.
     *
     * Requirements:
     *
     * - a valid signature by `patient` of `SetHomeRelayOnly`, unused nonce, deadline not passed.
     * - `patient` is registered.
     * - to enable: `patient` is attached to an organisation whose gateway relayer is published.
     * - to disable while enabled: the sender is the home gateway's relayer.
     *
     * Emits {HomeRelaySet}.
     */
    function setHomeRelayOnly(
        address patient,
        bool enabled,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @dev Returns true if only `patient`'s home gateway may relay its grants.
    function homeRelayOnly(address patient) external view returns (bool);

    /// @dev Returns the grant `grantId` (patient 0 if it does not exist).
    function grantOf(uint256 grantId) external view returns (Grant memory);

    /// @dev Returns the request `requestId` (status 0 if it does not exist).
    function requestOf(uint256 requestId) external view returns (AccessRequest memory);

    /// @dev Returns the number of grants; ids run from 1 to this number.
    function grantCount() external view returns (uint256);

    /// @dev Returns the number of requests; ids run from 1 to this number.
    function requestCount() external view returns (uint256);

    /// @dev Returns the ids of every grant `patient` has signed, oldest first.
    function grantsOfPatient(address patient) external view returns (uint256[] memory);

    /**
     * @dev Returns true if grant `grantId` lets `actor` perform `action` (one or more action bits) on
     * `patient`'s records of `category` and `sensitivity` now: the grant is `patient`'s, not revoked, not
     * expired, covers the category, sensitivity and action, and goes to `actor` or to `actor`'s
     * organisation, `actor` being an active member.
     */
    function checkGrant(
        uint256 grantId,
        address actor,
        address patient,
        uint8 category,
        uint8 sensitivity,
        uint8 action
    ) external view returns (bool);

    /// @dev Returns the newest grant for which {checkGrant} holds, preferring grants to `actor` over grants
    /// to its organisation; 0 if none.
    function authorisingGrant(
        address actor,
        address patient,
        uint8 category,
        uint8 sensitivity,
        uint8 action
    ) external view returns (uint256);

    /// @dev Returns true if `actor` is the registered `patient` itself, or if {authorisingGrant} finds a grant.
    function isAuthorised(
        address actor,
        address patient,
        uint8 category,
        uint8 sensitivity,
        uint8 action
    ) external view returns (bool);
}
