// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @dev A smart-contract wallet (ERC-1271) that accepts its owner's ECDSA signatures. Test only.
contract ERC1271WalletMock {
    address private immutable _owner;

    constructor(address owner) {
        _owner = owner;
    }

    /// @dev ERC-1271: accepts `signature` of `hash` if it is the owner's ECDSA signature.
    /// @param hash The signed hash.
    /// @param signature The signature.
    /// @return The ERC-1271 magic value if the signature is valid, else `0xffffffff`.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError error, ) = ECDSA.tryRecoverCalldata(hash, signature);
        bool valid = error == ECDSA.RecoverError.NoError && recovered == _owner;
        return valid ? this.isValidSignature.selector : bytes4(0xffffffff);
    }
}
