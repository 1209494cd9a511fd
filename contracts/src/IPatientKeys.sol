// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @dev Patients' keys: which key signs for a patient, and the commitment to a patient's key backup.
 *
 * A patient's id is the address it registered with, for ever: consents, records and custody name it.
 * The key that signs for it starts as that address's own key and can be replaced ("rotated") by the
 * patient, with a signature by the current key and one by the new key. Contracts that check a patient's
 * signature ask {signerOf}. A key once rotated in is bound to its patient for ever: it can never become a
 * member, a patient or another patient's key, so a gateway maps it back to its patient at sign-in
 * ({patientOfSigner}).
 *
 * A key backup is split among guardians off chain; the chain keeps a hash of the backup's bytes, so that
 * guardians and the patient detect a backup that was changed after the patient committed it.
 */
interface IPatientKeys {
    /// @dev The backup a patient committed last: its id, the hash of its bytes, and the key that signed
    /// for the patient when it was committed (the key the backup holds). All zero if none.
    struct KeyBackup {
        bytes32 backupId;
        bytes32 backupHash;
        address signer;
        uint64 committedAt;
    }

    /// @dev `patient` now signs with `newSigner` instead of `previousSigner`, and its encryption key is
    /// `encryptionKey`.
    /// @param patient The patient (its registered address, unchanged).
    /// @param previousSigner The signing key the patient used until now.
    /// @param newSigner The new signing key of the patient.
    /// @param encryptionKey Its new encryption public key.
    event PatientKeyRotated(
        address indexed patient,
        address indexed previousSigner,
        address indexed newSigner,
        bytes32 encryptionKey
    );

    /// @dev `patient`, signing with `signer`, committed the key backup `backupId` whose bytes hash to
    /// `backupHash`.
    /// @param patient The patient (its registered address).
    /// @param backupId The identifier of the key backup.
    /// @param backupHash The hash of the key backup.
    /// @param signer The key that signed the commitment.
    event KeyBackupCommitted(address indexed patient, bytes32 indexed backupId, bytes32 backupHash, address signer);

    /// @dev `patient` is not a registered patient.
    /// @param patient The address that is not a registered patient.
    error PatientKeysUnknownPatient(address patient);

    /// @dev The new signing key of a rotation is the zero address.
    error PatientKeysZeroSigner();

    /// @dev The new encryption key of a rotation is zero.
    error PatientKeysZeroEncryptionKey();

    /// @dev The new key `newSigner` did not sign the rotation that names it.
    /// @param newSigner The new key whose signature is invalid.
    error PatientKeysInvalidNewSignerSignature(address newSigner);

    /// @dev A key backup's id or hash is zero.
    error PatientKeysEmptyBackup();

    /**
     * @dev Replaces the key that signs for `patient` by `newSigner` and its encryption key by
     * `newEncryptionKey`. The previous key can sign nothing more for the patient.
     *
     * Requirements:
     *
     * - a valid signature by the patient's current key ({signerOf}) of `RotatePatientKey`, unused nonce of
     *   `patient`, deadline not passed.
     * - `newSignerSignature`: a valid signature by `newSigner` of the same `RotatePatientKey` message.
     * - `patient` is a registered patient; `newSigner` is not zero and is neither a member, a patient nor
     *   a key any patient ever rotated to; `newEncryptionKey` is not zero.
     *
     * Emits {PatientKeyRotated}.
     *
     * @param patient The patient; its current key signs the action.
     * @param newSigner The new signing key of the patient.
     * @param newEncryptionKey The new encryption public key of the patient.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     * @param newSignerSignature The same typed action signed by `newSigner`, proving it holds the new key.
     */
    function rotatePatientKey(
        address patient,
        address newSigner,
        bytes32 newEncryptionKey,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature,
        bytes calldata newSignerSignature
    ) external;

    /**
     * @dev Records that `patient` backed up its current key as backup `backupId`, whose bytes hash to
     * `backupHash`; it replaces any earlier backup.
     *
     * Requirements:
     *
     * - a valid signature by the patient's current key of `CommitKeyBackup`, unused nonce of `patient`,
     *   deadline not passed.
     * - `patient` is a registered patient; `backupId` and `backupHash` are not zero.
     *
     * Emits {KeyBackupCommitted}.
     *
     * @param patient The patient; its current key signs the action.
     * @param backupId The identifier of the key backup.
     * @param backupHash The hash of the key backup.
     * @param nonce A nonce of the signer not used before (unordered nonces).
     * @param deadline The last block timestamp at which the signature is accepted.
     * @param signature The EIP-712 signature of the typed action by its signer.
     */
    function commitKeyBackup(
        address patient,
        bytes32 backupId,
        bytes32 backupHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @dev Returns the key that signs for `account`: the account itself, unless it is a patient that
    /// rotated its key.
    /// @param account The account asked about (a patient, or any address).
    /// @return The key that signs for the account.
    function signerOf(address account) external view returns (address);

    /// @dev Returns the patient `signer` was rotated in for (even if rotated out since), or zero.
    /// @param signer The signing key asked about.
    /// @return The patient the key signs for (zero if none).
    function patientOfSigner(address signer) external view returns (address);

    /// @dev Returns the key backup `patient` committed last (all zero if none).
    /// @param patient The patient asked about.
    /// @return The patient's latest key backup commitment.
    function keyBackupOf(address patient) external view returns (KeyBackup memory);
}
