// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ISignedActions} from "./ISignedActions.sol";

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
        if (!SignatureChecker.isValidSignatureNowCalldata(signer, _hashTypedDataV4(structHash), signature)) {
            revert SignedActionInvalidSignature(signer);
        }
        _usedNonces[account][nonce] = true;
    }
}
