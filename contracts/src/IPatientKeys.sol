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
    event PatientKeyRotated(
        address indexed patient,
        address indexed previousSigner,
        address indexed newSigner,
        bytes32 encryptionKey
    );

    /// @dev `patient`, signing with `signer`, committed the key backup `backupId` whose bytes hash to
    /// `backupHash`.
    event KeyBackupCommitted(address indexed patient, bytes32 indexed backupId, bytes32 backupHash, address signer);

    /// @dev `patient` is not a registered patient.
    error PatientKeysUnknownPatient(address patient);

    /// @dev The new signing key of a rotation is the zero address.
    error PatientKeysZeroSigner();

    /// @dev The new encryption key of a rotation is zero.
    error PatientKeysZeroEncryptionKey();

    /// @dev The new key `newSigner` did not sign the rotation that names it.
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
    function signerOf(address account) external view returns (address);

    /// @dev Returns the patient `signer` was rotated in for (even if rotated out since), or zero.
    function patientOfSigner(address signer) external view returns (address);

    /// @dev Returns the key backup `patient` committed last (all zero if none).
    function keyBackupOf(address patient) external view returns (KeyBackup memory);
}
