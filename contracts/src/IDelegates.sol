// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ISignedActions} from "./ISignedActions.sol";

/**
 * @dev Patients' delegates: people who are not members of the consortium's organisations (family,
 * caregivers, researchers) and whom a patient lets hold its consents. A patient, signing with its current
 * key (`IPatientKeys.signerOf`), registers a delegate with its X25519 encryption key (keys of the records
 * granted to it are re-sealed to that key), its kind (1 family, 2 caregiver, 3 researcher) and a category
 * limit (bitmask, bit i for category i): the categories the patient allows this delegate to be granted at
 * most. A delegate may be a delegate of several patients; each patient registers it, with its own kind, limit
 * and key. An organisation member cannot be a delegate (it gets member grants), nor can a patient.
 *
 * `IConsents` accepts an active delegate of the patient as a grantee within its limit, and stops honouring
 * the delegate's grants once the patient removes it: each registration of a delegate has a number
 * ({delegateScope}), and a grant made under one registration does not apply under a later one.
 */
interface IDelegates is ISignedActions {
    /// @dev `patient` registered (or updated) `delegate`.
    /// @param patient The patient (its registered address).
    /// @param delegate The delegate's address.
    /// @param kind 1 family, 2 caregiver, 3 researcher.
    /// @param categoryLimit The categories the delegate may be granted at most, as a bitmask.
    /// @param encryptionKey The delegate's X25519 encryption public key.
    event DelegateAdded(
        address indexed patient,
        address indexed delegate,
        uint8 kind,
        uint32 categoryLimit,
        bytes32 encryptionKey
    );

    /// @dev `patient` removed `delegate`; the grants it made to it no longer apply.
    /// @param patient The patient (its registered address).
    /// @param delegate The delegate's address.
    event DelegateRemoved(address indexed patient, address indexed delegate);

    /// @dev `patient` is not a registered patient.
    /// @param patient The address given as the patient.
    error DelegatesUnknownPatient(address patient);

    /// @dev The delegate's address is zero.
    error DelegatesZeroAddress();

    /// @dev `kind` is not 1 (family), 2 (caregiver) or 3 (researcher).
    /// @param kind The kind given.
    error DelegatesInvalidKind(uint8 kind);

    /// @dev `categoryLimit` is zero or has bits beyond the last category (`Vocabulary.CATEGORY_COUNT - 1`).
    /// @param categoryLimit The limit given, as a bitmask.
    error DelegatesInvalidCategoryLimit(uint32 categoryLimit);

    /// @dev The delegate's encryption key is zero.
    error DelegatesZeroEncryptionKey();

    /// @dev `account` is a member of an organisation (grant it as a member) or a patient or a patient's key.
    /// @param account The address that cannot be a delegate.
    error DelegatesAccountTaken(address account);

    /// @dev `delegate` is not an active delegate of `patient`.
    /// @param patient The patient.
    /// @param delegate The address given as the delegate.
    error DelegatesUnknownDelegate(address patient, address delegate);

    /**
     * @dev Registers `delegate` as a delegate of `patient`, or updates its kind, limit and key if it is one.
     *
     * Requirements:
     *
     * - a valid signature by `patient`'s current key of `AddDelegate`, unused nonce, deadline not passed.
     * - `patient` is a registered patient.
     * - `delegate` is not zero, not `patient`, not a member, not a patient nor a patient's key.
     * - `kind` is 1..3; `categoryLimit` is a non-empty set of categories; `encryptionKey` is not zero.
     *
     * Emits {DelegateAdded}.
     *
     * @param patient The patient (its registered address).
     * @param delegate The delegate's address.
     * @param kind 1 family, 2 caregiver, 3 researcher.
     * @param categoryLimit The categories the delegate may be granted at most, as a bitmask.
     * @param encryptionKey The delegate's X25519 encryption public key.
     * @param nonce The patient's unordered nonce.
     * @param deadline The last block timestamp at which the action may be relayed.
     * @param signature The patient's current key's EIP-712 signature of `AddDelegate`.
     */
    function addDelegate(
        address patient,
        address delegate,
        uint8 kind,
        uint32 categoryLimit,
        bytes32 encryptionKey,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Removes `delegate` from `patient`'s delegates; the grants `patient` made to it stop applying, even
     * if it is registered again later.
     *
     * Requirements:
     *
     * - a valid signature by `patient`'s current key of `RemoveDelegate`, unused nonce, deadline not passed.
     * - `delegate` is an active delegate of `patient`.
     *
     * Emits {DelegateRemoved}.
     *
     * @param patient The patient (its registered address).
     * @param delegate The delegate's address.
     * @param nonce The patient's unordered nonce.
     * @param deadline The last block timestamp at which the action may be relayed.
     * @param signature The patient's current key's EIP-712 signature of `RemoveDelegate`.
     */
    function removeDelegate(
        address patient,
        address delegate,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @dev Returns what `patient` registered for `delegate` (zeros if it never did); `active` is false once
    /// removed (kind and limit then stay those of its last registration).
    /// @param patient The patient.
    /// @param delegate The delegate's address.
    /// @return kind 1 family, 2 caregiver, 3 researcher (0 if never registered).
    /// @return categoryLimit The categories the delegate may be granted at most, as a bitmask.
    /// @return active Whether it is a delegate of `patient` now.
    function delegateOf(
        address patient,
        address delegate
    ) external view returns (uint8 kind, uint32 categoryLimit, bool active);

    /// @dev Returns the encryption key `patient` registered for `delegate` (zero if it never did).
    /// @param patient The patient.
    /// @param delegate The delegate's address.
    /// @return The delegate's X25519 encryption public key.
    function encryptionKeyOf(address patient, address delegate) external view returns (bytes32);

    /// @dev Returns the category limit and the registration number of `delegate` as `patient`'s delegate, or
    /// zeros if it is not an active delegate of `patient`. Registration numbers start at 1 and grow each time
    /// the delegate is registered again after a removal.
    /// @param patient The patient.
    /// @param delegate The delegate's address.
    /// @return categoryLimit The categories the delegate may be granted at most (0 if not active).
    /// @return registration The number of its current registration (0 if not active).
    function delegateScope(
        address patient,
        address delegate
    ) external view returns (uint32 categoryLimit, uint32 registration);
}
