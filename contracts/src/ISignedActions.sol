// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @dev Errors and views shared by the contracts whose actions are authorised by EIP-712 signatures.
 *
 * Every signed action carries a random `nonce` (unordered: each one can be used once per signer, in any
 * order) and a `deadline` (unix seconds, inclusive). An action that cannot take effect twice does not use
 * its nonce (`IConsents.revoke`: a revoked grant stays revoked, so a replay fails anyway). Whoever relays the transaction pays its gas and gains
 * no authority from being `msg.sender`.
 */
interface ISignedActions {
    /// @dev The signed action was relayed after its `deadline`.
    /// @param deadline The deadline that passed.
    error SignedActionExpired(uint256 deadline);

    /// @dev The `signer` has already used `nonce` for a signed action of this contract (for a patient that
    /// rotated its key, `signer` is the patient: its nonces outlive its keys).
    /// @param signer The account whose nonce it is.
    /// @param nonce The nonce already used.
    error SignedActionNonceUsed(address signer, uint256 nonce);

    /// @dev The signature is not a valid signature by `signer` (EOA, low-s ECDSA, or ERC-1271 contract).
    /// @param signer The expected signer.
    error SignedActionInvalidSignature(address signer);

    /// @dev Returns true if `signer` has used `nonce` for a signed action of this contract.
    /// @param signer The account whose nonces are asked about.
    /// @param nonce The nonce asked about.
    /// @return True if the nonce is used.
    function nonceUsed(address signer, uint256 nonce) external view returns (bool);
}
