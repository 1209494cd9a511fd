// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/**
 * @dev Signature checks accepting the same signatures as OpenZeppelin's `SignatureChecker` (ECDSA with low
 * `s`, or ERC-1271 for a contract), in the cheaper order: ECDSA first, so that an externally owned signer's
 * account is never touched (`SignatureChecker` reads the signer's code size first, a cold account access of
 * 2,600 gas). A contract's address is no ECDSA key, so its signatures still go to ERC-1271; an account with
 * code that is also an ECDSA key (an EIP-7702 delegated account) is accepted on its key's signature, which
 * controls the account anyway.
 */
library Signatures {
    /// @dev True if `signature` is `signer`'s signature of `hash`.
    function isValidNowCalldata(address signer, bytes32 hash, bytes calldata signature) internal view returns (bool) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        return signer.code.length != 0 && SignatureChecker.isValidERC1271SignatureNowCalldata(signer, hash, signature);
    }
}
