// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IConsortium} from "./IConsortium.sol";
import {IDelegates} from "./IDelegates.sol";
import {SignedActions} from "./SignedActions.sol";
import {Vocabulary} from "./Vocabulary.sol";

/**
 * @dev Patients' delegates (see {IDelegates}). A delegate of a patient takes one storage slot (kind, limit,
 * whether active, registration number) and its key one more.
 */
contract Delegates is IDelegates, SignedActions {
    bytes32 private constant ADD_DELEGATE_TYPEHASH = keccak256(
        "AddDelegate(address patient,address delegate,uint8 kind,uint32 categoryLimit,bytes32 encryptionKey,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant REMOVE_DELEGATE_TYPEHASH = keccak256(
        "RemoveDelegate(address patient,address delegate,uint256 nonce,uint256 deadline)"
    );
    /// @dev Delegate kinds are 1..`KIND_COUNT`: family, caregiver, researcher.
    uint8 private constant KIND_COUNT = 3;

    struct Registration {
        uint8 kind;
        uint32 categoryLimit;
        bool active;
        uint32 number;
    }

    IConsortium private immutable _consortium;

    mapping(address patient => mapping(address delegate => Registration)) private _registrations;
    mapping(address patient => mapping(address delegate => bytes32 encryptionKey)) private _encryptionKeys;

    constructor(IConsortium consortium) SignedActions("medledger.Delegates") {
        _consortium = consortium;
    }

    /// @inheritdoc IDelegates
    function addDelegate(
        address patient,
        address delegate,
        uint8 kind,
        uint32 categoryLimit,
        bytes32 encryptionKey,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(ADD_DELEGATE_TYPEHASH, patient, delegate, kind, categoryLimit, encryptionKey, nonce, deadline)
        );
        (uint32 patientIndex, address signer) = _consortium.patientSigner(patient);
        _useSignatureOf(patient, signer, structHash, nonce, deadline, signature);
        if (patientIndex == 0) revert DelegatesUnknownPatient(patient);
        if (delegate == address(0)) revert DelegatesZeroAddress();
        if (kind == 0 || kind > KIND_COUNT) revert DelegatesInvalidKind(kind);
        if (categoryLimit == 0 || categoryLimit & ~Vocabulary.ALL_CATEGORIES != 0) {
            revert DelegatesInvalidCategoryLimit(categoryLimit);
        }
        if (encryptionKey == 0) revert DelegatesZeroEncryptionKey();
        _requireNotTaken(delegate);

        Registration storage registration = _registrations[patient][delegate];
        // An update keeps the registration (and so its grants); registering again after a removal starts one.
        uint32 number = registration.active ? registration.number : registration.number + 1;
        _registrations[patient][delegate] = Registration(kind, categoryLimit, true, number);
        _encryptionKeys[patient][delegate] = encryptionKey;
        emit DelegateAdded(patient, delegate, kind, categoryLimit, encryptionKey);
    }

    /// @inheritdoc IDelegates
    function removeDelegate(
        address patient,
        address delegate,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(REMOVE_DELEGATE_TYPEHASH, patient, delegate, nonce, deadline));
        _useSignatureOf(patient, _consortium.signerOf(patient), structHash, nonce, deadline, signature);
        Registration storage registration = _registrations[patient][delegate];
        if (!registration.active) revert DelegatesUnknownDelegate(patient, delegate);

        registration.active = false;
        emit DelegateRemoved(patient, delegate);
    }

    /// @inheritdoc IDelegates
    function delegateOf(
        address patient,
        address delegate
    ) external view returns (uint8 kind, uint32 categoryLimit, bool active) {
        Registration storage registration = _registrations[patient][delegate];
        return (registration.kind, registration.categoryLimit, registration.active);
    }

    /// @inheritdoc IDelegates
    function encryptionKeyOf(address patient, address delegate) external view returns (bytes32) {
        return _encryptionKeys[patient][delegate];
    }

    /// @inheritdoc IDelegates
    function delegateScope(
        address patient,
        address delegate
    ) external view returns (uint32 categoryLimit, uint32 registration) {
        Registration storage stored = _registrations[patient][delegate];
        if (!stored.active) return (0, 0);
        return (stored.categoryLimit, stored.number);
    }

    /// @dev Reverts if `account` is a member (active or not), a patient or a patient's key.
    function _requireNotTaken(address account) private view {
        if (
            _consortium.member(account).organisationId != 0 ||
            _consortium.patient(account).registered ||
            _consortium.patientOfSigner(account) != address(0)
        ) revert DelegatesAccountTaken(account);
    }
}
