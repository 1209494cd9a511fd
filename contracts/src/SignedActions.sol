// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ISignedActions} from "./ISignedActions.sol";
import {Signatures} from "./utils/Signatures.sol";

/**
 * @dev Authorisation by EIP-712 signatures with unordered nonces and deadlines.
 *
 * The domain is `{name, version: "1", chainId, verifyingContract}`, so a signature is valid for one
 * contract on one chain only.
 */
abstract contract SignedActions is ISignedActions, EIP712 {
    mapping(address signer => mapping(uint256 nonce => bool used)) private _usedNonces;

    constructor(string memory name) EIP712(name, "1") {}

    /// @inheritdoc ISignedActions
    function nonceUsed(address signer, uint256 nonce) public view returns (bool) {
        return _usedNonces[signer][nonce];
    }

    /**
     * @dev Checks that `signature` is `signer`'s signature of the typed data whose struct hash is
     * `structHash`, then marks `nonce` used.
     *
     * Requirements:
     *
     * - `block.timestamp` is at most `deadline`.
     * - `signer` has not used `nonce` yet.
     * - `signature` is valid for `signer` (ECDSA rejecting malleable signatures, or ERC-1271).
     */
    function _useSignature(
        address signer,
        bytes32 structHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) internal {
        _useSignatureOf(signer, signer, structHash, nonce, deadline, signature);
    }

    /**
     * @dev {_useSignature} for an action of `account` signed by the key `signer` that signs for it (a patient
     * that rotated its key, see {PatientKeys}). Nonces are the account's: a new key cannot reuse the nonces
     * of the keys before it.
     */
    function _useSignatureOf(
        address account,
        address signer,
        bytes32 structHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) internal {
        if (block.timestamp > deadline) revert SignedActionExpired(deadline);
        if (_usedNonces[account][nonce]) revert SignedActionNonceUsed(account, nonce);
        _requireSignature(signer, structHash, signature);
        _usedNonces[account][nonce] = true;
    }

    /**
     * @dev {_useSignatureOf} without the nonce, for an action that cannot take effect twice whatever its
     * nonce (a revocation: a revoked grant stays revoked), so that replaying it fails anyway. Its nonce stays
     * in the signed typed data but is neither checked nor marked used, which saves a storage slot (22,100 gas).
     *
     * Requirements:
     *
     * - `block.timestamp` is at most `deadline`.
     * - `signature` is valid for `signer` (ECDSA rejecting malleable signatures, or ERC-1271).
     */
    function _verifySignature(
        address signer,
        bytes32 structHash,
        uint256 deadline,
        bytes calldata signature
    ) internal view {
        if (block.timestamp > deadline) revert SignedActionExpired(deadline);
        _requireSignature(signer, structHash, signature);
    }

    /// @dev Reverts unless `signature` is `signer`'s signature of the typed data whose struct hash is `structHash`.
    function _requireSignature(address signer, bytes32 structHash, bytes calldata signature) private view {
        if (!Signatures.isValidNowCalldata(signer, _hashTypedDataV4(structHash), signature)) {
            revert SignedActionInvalidSignature(signer);
        }
    }
}
