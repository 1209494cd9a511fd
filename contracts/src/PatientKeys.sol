// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IPatientKeys} from "./IPatientKeys.sol";
import {SignedActions} from "./SignedActions.sol";
import {Signatures} from "./utils/Signatures.sol";

/**
 * @dev Key rotation and key backup commitments for the patients of the contract that inherits this one,
 * which says who is a patient, which addresses are taken, and keeps the patients' encryption keys.
 */
abstract contract PatientKeys is IPatientKeys, SignedActions {
    bytes32 private constant ROTATE_PATIENT_KEY_TYPEHASH = keccak256(
        "RotatePatientKey(address patient,address newSigner,bytes32 newEncryptionKey,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant COMMIT_KEY_BACKUP_TYPEHASH = keccak256(
        "CommitKeyBackup(address patient,bytes32 backupId,bytes32 backupHash,uint256 nonce,uint256 deadline)"
    );

    mapping(address signer => address patient) private _signerPatients;
    mapping(address patient => KeyBackup) private _keyBackups;

    /// @inheritdoc IPatientKeys
    function rotatePatientKey(
        address patient,
        address newSigner,
        bytes32 newEncryptionKey,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature,
        bytes calldata newSignerSignature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(ROTATE_PATIENT_KEY_TYPEHASH, patient, newSigner, newEncryptionKey, nonce, deadline)
        );
        address previousSigner = signerOf(patient);
        _useSignatureOf(patient, previousSigner, structHash, nonce, deadline, signature);
        if (!_isRegisteredPatient(patient)) revert PatientKeysUnknownPatient(patient);
        if (newSigner == address(0)) revert PatientKeysZeroSigner();
        if (newEncryptionKey == 0) revert PatientKeysZeroEncryptionKey();
        _requireUnusedAccount(newSigner);
        if (!Signatures.isValidNowCalldata(newSigner, _hashTypedDataV4(structHash), newSignerSignature)) {
            revert PatientKeysInvalidNewSignerSignature(newSigner);
        }

        _setRotatedSigner(patient, newSigner);
        _signerPatients[newSigner] = patient;
        _setPatientEncryptionKey(patient, newEncryptionKey);
        emit PatientKeyRotated(patient, previousSigner, newSigner, newEncryptionKey);
    }

    /// @inheritdoc IPatientKeys
    function commitKeyBackup(
        address patient,
        bytes32 backupId,
        bytes32 backupHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(COMMIT_KEY_BACKUP_TYPEHASH, patient, backupId, backupHash, nonce, deadline)
        );
        address signer = signerOf(patient);
        _useSignatureOf(patient, signer, structHash, nonce, deadline, signature);
        if (!_isRegisteredPatient(patient)) revert PatientKeysUnknownPatient(patient);
        if (backupId == 0 || backupHash == 0) revert PatientKeysEmptyBackup();

        _keyBackups[patient] = KeyBackup(backupId, backupHash, signer, uint64(block.timestamp));
        emit KeyBackupCommitted(patient, backupId, backupHash, signer);
    }

    /// @inheritdoc IPatientKeys
    function signerOf(address account) public view returns (address) {
        address rotated = _rotatedSignerOf(account);
        return rotated == address(0) ? account : rotated;
    }

    /// @inheritdoc IPatientKeys
    function patientOfSigner(address signer) external view returns (address) {
        return _signerPatients[signer];
    }

    /// @inheritdoc IPatientKeys
    function keyBackupOf(address patient) external view returns (KeyBackup memory) {
        return _keyBackups[patient];
    }

    /// @dev Returns true if `account` was ever rotated in as a patient's key.
    function _isPatientSigner(address account) internal view returns (bool) {
        return _signerPatients[account] != address(0);
    }

    /// @dev Returns true if `account` is a registered patient.
    /// @param account The address asked about.
    /// @return True if `account` is a registered patient.
    function _isRegisteredPatient(address account) internal view virtual returns (bool);

    /// @dev Reverts if `account` is already a member, a patient or a patient's key.
    /// @param account The address to be used as a new patient key.
    function _requireUnusedAccount(address account) internal view virtual;

    /// @dev Returns the key `account` rotated to last (zero if it never rotated its key).
    /// @param account The address asked about.
    /// @return The patient's current key if it rotated one in, else zero.
    function _rotatedSignerOf(address account) internal view virtual returns (address);

    /// @dev Records that the registered patient `patient` now signs with `signer`.
    /// @param patient The registered patient.
    /// @param signer Its new key.
    function _setRotatedSigner(address patient, address signer) internal virtual;

    /// @dev Sets the encryption public key of the registered patient `patient`.
    /// @param patient The registered patient.
    /// @param encryptionKey Its new X25519 encryption public key.
    function _setPatientEncryptionKey(address patient, bytes32 encryptionKey) internal virtual;
}
