// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ISignedActions} from "./ISignedActions.sol";

/**
 * @dev Patients' consents: grants of access to a member or to a whole organisation, scoped by record
 * categories (bitmask, bit i for category i), a maximum sensitivity (0 normal, 1 restricted), actions (bitmask:
 * read 1, append 2, share 4) and an expiry; revocations; and members' access requests.
 *
 * Request status is 0 none, 1 pending, 2 approved (by a grant), 3 denied.
 *
 * The chain keeps of a grant only what deciding on it needs, in one storage slot: its patient, grantee,
 * scope, expiry and whether it is revoked ({grantOf}). Its purpose and the time it was granted are in its
 * {ConsentGranted} event (and the event's block) only; the request it answers is kept only when there is
 * one. The chain keeps no index of grants by patient or by grantee either: whoever looks for the grant that
 * authorises an access (a gateway) finds the candidates in the {ConsentGranted} events and has the chain
 * decide with {checkGrant}, {authorisingGrant} or {isAuthorised}, which read the chain's state only. A
 * candidate the caller missed can only make it refuse an access, never allow one.
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

    /// @dev `patient` granted `grantee` (or every active member of `granteeOrganisation`) `actions` on the
    /// records of `categories` up to `maxSensitivity`, for `purpose`, until `expiresAt`.
    /// @param grantId The grant (ids run from 1).
    /// @param patient The patient who consented.
    /// @param grantee The member the grant is for (zero for a grant to a whole organisation).
    /// @param granteeOrganisation The organisation the grant is for (0 for a grant to one member).
    /// @param categories The categories covered, as a bitmask (bit i = category i).
    /// @param maxSensitivity The highest sensitivity covered (0 normal, 1 restricted).
    /// @param actions The actions allowed, as a bitmask (1 read, 2 append, 4 share).
    /// @param purpose The purpose of use the patient consented to.
    /// @param expiresAt The block timestamp from which it no longer applies.
    /// @param requestId The access request the grant answers (0 for none).
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

    /// @dev `patient` revoked grant `grantId`.
    /// @param grantId The grant (ids run from 1).
    /// @param patient The patient (its registered address).
    event ConsentRevoked(uint256 indexed grantId, address indexed patient);

    /// @dev `requester` asked `patient` for access; the reason text stays off chain, `reasonHash` is its hash.
    /// @param requestId The access request (ids run from 1).
    /// @param patient The patient asked.
    /// @param requester The member who asks for access.
    /// @param categories The categories asked for, as a bitmask (bit i = category i).
    /// @param actions The actions asked for, as a bitmask (1 read, 2 append, 4 share).
    /// @param reasonHash The hash of the reason of the request (the text stays off chain).
    event AccessRequested(
        uint256 indexed requestId,
        address indexed patient,
        address indexed requester,
        uint32 categories,
        uint8 actions,
        bytes32 reasonHash
    );

    /// @dev `patient` denied access request `requestId`.
    /// @param requestId The access request (ids run from 1).
    /// @param patient The patient (its registered address).
    event AccessRequestDenied(uint256 indexed requestId, address indexed patient);

    /// @dev `patient`'s grants are now relayed only by its home gateway (`enabled`), or by any gateway.
    /// @param patient The patient (its registered address).
    /// @param enabled Whether only the patient's home gateway may relay its grants.
    event HomeRelaySet(address indexed patient, bool enabled);

    /// @dev `patient` is not a registered patient.
    /// @param patient The patient (its registered address).
    error ConsentsUnknownPatient(address patient);

    /// @dev Not exactly one of `grantee` and `granteeOrganisation` is set.
    /// @param grantee The member the grant is for (zero for a grant to a whole organisation).
    /// @param granteeOrganisation The organisation the grant is for (0 for a grant to one member).
    error ConsentsInvalidGrantee(address grantee, uint32 granteeOrganisation);

    /// @dev `account` is a member, but not an active member of an active organisation.
    /// @param account The grantee that is not an active member.
    error ConsentsInactiveMember(address account);

    /// @dev `grantee` is neither an active member nor a delegate of the patient (see {IDelegates}). Consents
    /// can be granted to active members of the consortium's organisations, to whole organisations, or to the
    /// patient's registered delegates (family, caregivers, researchers).
    /// @param grantee The address the grant was meant for.
    error ConsentsGranteeNotMemberOrDelegate(address grantee);

    /// @dev The grant to the patient's delegate `delegate` covers `categories` beyond `categoryLimit`, the
    /// categories the patient allows this delegate to be granted.
    /// @param delegate The delegate.
    /// @param categories The categories of the grant, as a bitmask.
    /// @param categoryLimit The delegate's limit, as a bitmask.
    error ConsentsBeyondDelegateLimit(address delegate, uint32 categories, uint32 categoryLimit);

    /// @dev A grant to the patient's delegate `delegate` allows `actions` other than reading: delegates read
    /// only (a record's author must be a member, whose organisation the record names).
    /// @param delegate The delegate.
    /// @param actions The actions of the grant, as a bitmask (1 read, 2 append, 4 share).
    error ConsentsDelegateReadOnly(address delegate, uint8 actions);

    /// @dev `organisationId` is not an active organisation.
    /// @param organisationId The organisation.
    error ConsentsInactiveOrganisation(uint32 organisationId);

    /// @dev `categories` is zero or has bits beyond the last category (`Vocabulary.CATEGORY_COUNT - 1`).
    /// @param categories The categories, as a bitmask (bit i = category i).
    error ConsentsInvalidCategories(uint32 categories);

    /// @dev `actions` is zero or has bits beyond read, append and share.
    /// @param actions The actions, as a bitmask (1 read, 2 append, 4 share).
    error ConsentsInvalidActions(uint8 actions);

    /// @dev `maxSensitivity` is above 1 (restricted).
    /// @param maxSensitivity The highest sensitivity covered (0 normal, 1 restricted).
    error ConsentsInvalidSensitivity(uint8 maxSensitivity);

    /// @dev `expiresAt` is not in the future.
    /// @param expiresAt The expiry given.
    error ConsentsInvalidExpiry(uint64 expiresAt);

    /// @dev `grantId` does not exist.
    /// @param grantId The grant (ids run from 1).
    error ConsentsUnknownGrant(uint256 grantId);

    /// @dev `patient` is not the patient of `grantId`.
    /// @param grantId The grant (ids run from 1).
    /// @param patient The patient who signed.
    error ConsentsNotGrantPatient(uint256 grantId, address patient);

    /// @dev `grantId` is already revoked.
    /// @param grantId The grant (ids run from 1).
    error ConsentsAlreadyRevoked(uint256 grantId);

    /// @dev `requestId` does not exist.
    /// @param requestId The access request (ids run from 1).
    error ConsentsUnknownRequest(uint256 requestId);

    /// @dev `patient` is not the patient of `requestId`.
    /// @param requestId The access request (ids run from 1).
    /// @param patient The patient who signed.
    error ConsentsNotRequestPatient(uint256 requestId, address patient);

    /// @dev `requestId` is no longer pending: its `status` is approved (2) or denied (3).
    /// @param requestId The access request (ids run from 1).
    /// @param status The status of the request (1 pending, 2 approved, 3 denied).
    error ConsentsRequestNotPending(uint256 requestId, uint8 status);

    /// @dev A grant answering `requestId` goes to `grantee`, who is not its requester.
    /// @param requestId The access request (ids run from 1).
    /// @param grantee The grantee of the grant meant to answer the request.
    error ConsentsNotRequester(uint256 requestId, address grantee);

    /// @dev `patient` asks that only its home gateway relay its grants, but is attached to no organisation
    /// whose gateway relays from a published address.
    /// @param patient The patient (its registered address).
    error ConsentsNoHomeGateway(address patient);

    /// @dev `patient`'s grants (and the lifting of this rule) are relayed only by the relayer of its home
    /// gateway, not by `sender`.
    /// @param patient The patient (its registered address).
    /// @param sender The address that sent the transaction.
    error ConsentsNotAuthorisedRelayer(address patient, address sender);

    /**
     * @dev Grants access to `g.grantee` (a member, or a delegate of the patient, see {IDelegates}) or to every
     * member of `g.granteeOrganisation`. When `g.requestId` is not 0 the grant answers that request, which
     * becomes approved.
     *
     * Requirements:
     *
     * - a valid signature by `g.patient` of `Grant`, unused nonce, deadline not passed.
     * - `g.patient` is registered.
     * - exactly one of `g.grantee` (an active member, or an active delegate of `g.patient`) and
     *   `g.granteeOrganisation` (an active organisation).
     * - `g.categories` non-zero within 16 bits (one per category), `g.actions` non-zero within 3 bits,
     *   `g.maxSensitivity` at most 1, `g.expiresAt` after `block.timestamp`.
     * - to a delegate: `g.categories` within the delegate's category limit, `g.actions` read only.
     * - if `g.requestId` is not 0: a pending request of `g.patient` whose requester is `g.grantee`.
     * - if `g.patient` asked for it ({setHomeRelayOnly}), the sender is its home gateway's relayer.
     *
     * Emits {ConsentGranted}.
     *
     * @param g The grant as the patient signs it.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     * @return grantId The new grant.
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
     * - a valid signature by `patient` (its current key) of `Revoke`, deadline not passed. The nonce is
     *   signed but neither checked nor used: a revocation cannot take effect twice, its replay fails below.
     * - `grantId` exists, is `patient`'s and is not revoked.
     *
     * Emits {ConsentRevoked}.
     *
     * @param patient The patient who gave the grant and signs its revocation.
     * @param grantId The grant (ids run from 1).
     * @param nonce A random nonce, part of the signed `Revoke` (not marked used).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
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
     *
     * @param requester The member who asks for access.
     * @param patient The patient asked.
     * @param categories The categories asked for, as a bitmask (bit i = category i).
     * @param actions The actions asked for, as a bitmask (1 read, 2 append, 4 share).
     * @param reasonHash The hash of the reason of the request (the text stays off chain).
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     * @return requestId The new request.
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
     *
     * @param patient The patient asked, who signs the denial.
     * @param requestId The access request (ids run from 1).
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
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
     *
     * @param patient The patient, who signs the change.
     * @param enabled Whether only the patient's home gateway may relay its grants.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     */
    function setHomeRelayOnly(
        address patient,
        bool enabled,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @dev Returns true if only `patient`'s home gateway may relay its grants.
    /// @param patient The patient (its registered address).
    /// @return True if only the patient's home gateway may relay its grants.
    function homeRelayOnly(address patient) external view returns (bool);

    /// @dev Returns the grant `grantId` (patient 0 if it does not exist). `purpose` and `grantedAt` are zero:
    /// the chain keeps them in the {ConsentGranted} event (and the time of its block) only. An `expiresAt`
    /// beyond 2^42 - 1 (the year 141,000) is kept as 2^42 - 1.
    /// @param grantId The grant (ids run from 1).
    /// @return The grant (all zero if it does not exist).
    function grantOf(uint256 grantId) external view returns (Grant memory);

    /// @dev Returns the request `requestId` (status 0 if it does not exist).
    /// @param requestId The access request (ids run from 1).
    /// @return The request (all zero if it does not exist).
    function requestOf(uint256 requestId) external view returns (AccessRequest memory);

    /// @dev Returns the number of grants; ids run from 1 to this number.
    /// @return The number of grants.
    function grantCount() external view returns (uint256);

    /// @dev Returns the number of requests; ids run from 1 to this number.
    /// @return The number of access requests.
    function requestCount() external view returns (uint256);

    /**
     * @dev Returns true if grant `grantId` lets `actor` perform `action` (one or more action bits) on
     * `patient`'s records of `category` and `sensitivity` now: the grant is `patient`'s, not revoked, not
     * expired, covers the category, sensitivity and action, and goes to `actor` or to `actor`'s
     * organisation, `actor` being an active member; or it goes to `actor` as an active delegate of `patient`,
     * made under its current registration, and the category is within the delegate's current limit.
     *
     * @param grantId The grant to check.
     * @param actor The member who wants to act.
     * @param patient The patient (its registered address).
     * @param category The record category (0..15).
     * @param sensitivity The record sensitivity (0 normal, 1 restricted).
     * @param action The single action wanted (1 read, 2 append, 4 share).
     * @return True if the grant authorises the action.
     */
    function checkGrant(
        uint256 grantId,
        address actor,
        address patient,
        uint8 category,
        uint8 sensitivity,
        uint8 action
    ) external view returns (bool);

    /**
     * @dev Returns what grant `grantId` lets `actor` do on `patient`'s records now, for `action` (one or more
     * action bits): the categories (bitmask, 0 for none) and the highest sensitivity for which {checkGrant}
     * holds, and `actor`'s organisation (0 if `actor` is not an active member: categories 0 then, unless `actor`
     * is a delegate of `patient`, see {checkGrant}). One call
     * answers {checkGrant} for every category and sensitivity, as {IRecords-anchorRecords} needs in a batch.
     *
     * @param grantId The grant to check.
     * @param actor The member who wants to act.
     * @param patient The patient (its registered address).
     * @param action The action wanted (1 read, 2 append, 4 share).
     * @return organisationId The actor's organisation if it is an active member, else 0.
     * @return categories The categories the grant covers for the actor and action now (0 if none).
     * @return maxSensitivity The highest sensitivity covered (meaningless when `categories` is 0).
     */
    function grantScope(
        uint256 grantId,
        address actor,
        address patient,
        uint8 action
    ) external view returns (uint32 organisationId, uint32 categories, uint8 maxSensitivity);

    /// @dev Returns the first of `grantIds` for which {checkGrant} holds, 0 if none. The caller lists the
    /// candidates in its order of preference (a gateway: the newest first, grants to `actor` before grants to
    /// its organisation), from the {ConsentGranted} events.
    /// @param grantIds The candidate grants, in order of preference.
    /// @param actor The member who wants to act.
    /// @param patient The patient (its registered address).
    /// @param category The record category (0..15).
    /// @param sensitivity The record sensitivity (0 normal, 1 restricted).
    /// @param action The single action wanted (1 read, 2 append, 4 share).
    /// @return The first grant that authorises the action, 0 if none.
    function authorisingGrant(
        uint256[] calldata grantIds,
        address actor,
        address patient,
        uint8 category,
        uint8 sensitivity,
        uint8 action
    ) external view returns (uint256);

    /// @dev Returns true if `actor` is the registered `patient` itself, or if {authorisingGrant} finds a grant
    /// among `grantIds`.
    /// @param grantIds The candidate grants (ignored when `actor` is `patient`).
    /// @param actor The member who wants to act.
    /// @param patient The patient (its registered address).
    /// @param category The record category (0..15).
    /// @param sensitivity The record sensitivity (0 normal, 1 restricted).
    /// @param action The single action wanted (1 read, 2 append, 4 share).
    /// @return True if a grant authorises the action.
    function isAuthorised(
        uint256[] calldata grantIds,
        address actor,
        address patient,
        uint8 category,
        uint8 sensitivity,
        uint8 action
    ) external view returns (bool);
}
