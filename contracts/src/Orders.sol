// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IConsortium} from "./IConsortium.sol";
import {IOrders} from "./IOrders.sol";
import {IRecords} from "./IRecords.sol";
import {SignedActions} from "./SignedActions.sol";
import {Vocabulary} from "./Vocabulary.sol";

/**
 * @dev Lab orders, prescriptions and claims (see {IOrders}). Every action is signed by its actor (EIP-712)
 * and relayed by any gateway; the records a step writes are anchored by {IRecords-anchorRecords} within the
 * step, after the order's state changed, so that a revert there undoes the step.
 */
contract Orders is IOrders, SignedActions {
    bytes32 private constant PLACE_ORDER_TYPEHASH = keccak256(
        "PlaceOrder(bytes32 orderId,address patient,uint8 kind,uint32 performerOrganisation,uint32 quantity,uint16 fills,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant ORDER_STATUS_TYPEHASH = keccak256(
        "OrderStatus(bytes32 orderId,uint8 status,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant COMPLETE_ORDER_TYPEHASH = keccak256(
        "CompleteOrder(bytes32 orderId,bytes32 result,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant DISPENSE_ORDER_TYPEHASH = keccak256(
        "DispenseOrder(bytes32 orderId,uint32 quantity,bytes32 record,uint256 nonce,uint256 deadline)"
    );

    IConsortium private immutable _consortium;
    IRecords private immutable _records;

    mapping(bytes32 orderId => Order) private _orders;
    uint256 private _orderCount;

    constructor(IConsortium consortium, IRecords records) SignedActions("medledger.Orders") {
        _consortium = consortium;
        _records = records;
    }

    /// @inheritdoc IOrders
    function place(
        IRecords.RecordInput calldata request,
        uint8 kind,
        uint32 performerOrganisation,
        uint32 quantity,
        uint16 fills,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        IRecords.Record calldata record = request.record;
        bytes32 orderId = record.recordId;
        bytes32 structHash = _placeOrderHash(record, kind, performerOrganisation, quantity, fills, nonce, deadline);
        _useSignature(record.author, structHash, nonce, deadline, signature);
        uint32 requesterOrganisation = _requirePlaceable(record, kind, performerOrganisation, quantity, fills);

        _orders[orderId] = Order({
            patient: record.patient,
            requester: record.author,
            requesterOrganisation: requesterOrganisation,
            performerOrganisation: performerOrganisation,
            kind: kind,
            status: Vocabulary.ORDER_PLACED,
            quantity: quantity,
            dispensed: 0,
            fills: fills,
            fillsUsed: 0,
            placedAt: uint64(block.timestamp),
            updatedAt: uint64(block.timestamp)
        });
        ++_orderCount;
        emit OrderPlaced(
            orderId,
            record.patient,
            record.author,
            requesterOrganisation,
            performerOrganisation,
            kind,
            quantity,
            fills
        );
        IRecords.RecordInput[] memory batch = new IRecords.RecordInput[](1);
        batch[0] = request;
        _records.anchorRecords(batch);
    }

    /// @inheritdoc IOrders
    function setStatus(
        bytes32 orderId,
        uint8 status,
        address actor,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        Order storage order = _orders[orderId];
        bytes32 structHash = keccak256(abi.encode(ORDER_STATUS_TYPEHASH, orderId, status, nonce, deadline));
        if (status == Vocabulary.ORDER_CANCELLED && actor == order.patient && actor != address(0)) {
            (, address signer) = _consortium.patientSigner(actor);
            _useSignatureOf(actor, signer, structHash, nonce, deadline, signature);
        } else {
            _useSignature(actor, structHash, nonce, deadline, signature);
        }
        uint8 current = _requireOpen(orderId, order);
        if (status == Vocabulary.ORDER_CANCELLED) {
            if (actor != order.patient && (actor != order.requester || !_consortium.isActiveMember(actor))) {
                revert OrdersNotRequesterOrPatient(orderId, actor);
            }
        } else {
            bool allowed =
                order.kind != Vocabulary.ORDER_KIND_PRESCRIPTION &&
                    (status == Vocabulary.ORDER_REJECTED ||
                        (status == Vocabulary.ORDER_ACCEPTED && current == Vocabulary.ORDER_PLACED) ||
                        (status == Vocabulary.ORDER_IN_PROGRESS && current != Vocabulary.ORDER_IN_PROGRESS));
            if (!allowed) revert OrdersInvalidTransition(orderId, current, status);
            _requirePerformerMember(orderId, order, actor);
        }

        order.status = status;
        order.updatedAt = uint64(block.timestamp);
        emit OrderStatusChanged(orderId, status, actor);
    }

    /// @inheritdoc IOrders
    function complete(
        bytes32 orderId,
        IRecords.RecordInput[] calldata results,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        if (results.length == 0) revert OrdersNoResults(orderId);
        IRecords.Record calldata first = results[0].record;
        address actor = first.author;
        bytes32 structHash = keccak256(abi.encode(COMPLETE_ORDER_TYPEHASH, orderId, first.recordId, nonce, deadline));
        _useSignature(actor, structHash, nonce, deadline, signature);
        Order storage order = _orders[orderId];
        _requireOpen(orderId, order);
        if (order.kind == Vocabulary.ORDER_KIND_PRESCRIPTION) revert OrdersWrongKind(orderId, order.kind);
        _requirePerformerMember(orderId, order, actor);
        if (first.category != _categoryOf(order.kind)) revert OrdersRecordMismatch(orderId, first.recordId);
        for (uint256 i = 0; i < results.length; ++i) {
            IRecords.Record calldata result = results[i].record;
            if (result.patient != order.patient || result.author != actor) {
                revert OrdersRecordMismatch(orderId, result.recordId);
            }
        }

        order.status = Vocabulary.ORDER_COMPLETED;
        order.updatedAt = uint64(block.timestamp);
        emit OrderCompleted(orderId, actor, first.recordId);
        _records.anchorRecords(results);
    }

    /// @inheritdoc IOrders
    function dispense(
        bytes32 orderId,
        uint32 quantity,
        IRecords.RecordInput calldata dispenseRecord,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        IRecords.Record calldata record = dispenseRecord.record;
        address actor = record.author;
        bytes32 structHash = keccak256(
            abi.encode(DISPENSE_ORDER_TYPEHASH, orderId, quantity, record.recordId, nonce, deadline)
        );
        _useSignature(actor, structHash, nonce, deadline, signature);
        Order storage order = _orders[orderId];
        uint8 status = order.status;
        if (status == 0) revert OrdersUnknownOrder(orderId);
        if (order.kind != Vocabulary.ORDER_KIND_PRESCRIPTION) revert OrdersWrongKind(orderId, order.kind);
        // A completed prescription falls through to the fills and quantity checks below, so that the loser
        // of two dispenses for the last units learns why.
        if (status == Vocabulary.ORDER_CANCELLED || status == Vocabulary.ORDER_REJECTED) {
            revert OrdersNotOpen(orderId, status);
        }
        _requirePharmacist(orderId, order.performerOrganisation, actor);
        if (record.category != Vocabulary.CATEGORY_MEDICATION || record.patient != order.patient) {
            revert OrdersRecordMismatch(orderId, record.recordId);
        }
        if (quantity == 0) revert OrdersInvalidQuantity(orderId, quantity, order.fills);
        if (order.fillsUsed >= order.fills) revert OrdersFillsUsed(orderId, order.fills);
        uint32 remaining = order.quantity - order.dispensed;
        if (quantity > remaining) revert OrdersQuantityExceeded(orderId, quantity, remaining);

        uint32 dispensed = order.dispensed + quantity;
        uint16 fillsUsed = order.fillsUsed + 1;
        order.dispensed = dispensed;
        order.fillsUsed = fillsUsed;
        order.status =
            dispensed == order.quantity || fillsUsed == order.fills
                ? Vocabulary.ORDER_COMPLETED
                : Vocabulary.ORDER_IN_PROGRESS;
        order.updatedAt = uint64(block.timestamp);
        emit OrderDispensed(orderId, actor, quantity, dispensed, fillsUsed, record.recordId);
        IRecords.RecordInput[] memory batch = new IRecords.RecordInput[](1);
        batch[0] = dispenseRecord;
        _records.anchorRecords(batch);
    }

    /// @inheritdoc IOrders
    function orderOf(bytes32 orderId) external view returns (Order memory) {
        return _orders[orderId];
    }

    /// @inheritdoc IOrders
    function orderCount() external view returns (uint256) {
        return _orderCount;
    }

    /// @dev The struct hash of the typed `PlaceOrder` of {place}.
    function _placeOrderHash(
        IRecords.Record calldata record,
        uint8 kind,
        uint32 performerOrganisation,
        uint32 quantity,
        uint16 fills,
        uint256 nonce,
        uint256 deadline
    ) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    PLACE_ORDER_TYPEHASH,
                    record.recordId,
                    record.patient,
                    kind,
                    performerOrganisation,
                    quantity,
                    fills,
                    nonce,
                    deadline
                )
            );
    }

    /// @dev Checks what {place} requires of an order (but its signature) and returns the requester's organisation.
    function _requirePlaceable(
        IRecords.Record calldata record,
        uint8 kind,
        uint32 performerOrganisation,
        uint32 quantity,
        uint16 fills
    ) private view returns (uint32 requesterOrganisation) {
        bytes32 orderId = record.recordId;
        if (_orders[orderId].kind != 0) revert OrdersAlreadyPlaced(orderId);
        if (kind == 0 || kind > Vocabulary.ORDER_KIND_COUNT) revert OrdersInvalidKind(orderId, kind);
        requesterOrganisation = _requireRequester(orderId, record.author, kind);
        _requirePerformer(orderId, kind, performerOrganisation);
        bool prescription = kind == Vocabulary.ORDER_KIND_PRESCRIPTION;
        if (prescription ? quantity == 0 || fills == 0 : quantity != 0 || fills != 0) {
            revert OrdersInvalidQuantity(orderId, quantity, fills);
        }
        if (record.category != _categoryOf(kind)) revert OrdersRecordMismatch(orderId, orderId);
    }

    /// @dev Returns the organisation of `requester` if it may place an order of `kind`, else reverts.
    function _requireRequester(bytes32 orderId, address requester, uint8 kind) private view returns (uint32) {
        uint32 organisationId = _consortium.activeOrganisationOf(requester);
        if (organisationId == 0) revert OrdersNotRequester(orderId, requester);
        bool allowed;
        if (kind == Vocabulary.ORDER_KIND_CLAIM) {
            allowed = _consortium.organisation(organisationId).kind == Vocabulary.KIND_HOSPITAL;
        } else {
            uint8 role = _consortium.member(requester).role;
            allowed =
                role == Vocabulary.ROLE_DOCTOR ||
                (kind == Vocabulary.ORDER_KIND_LAB && role == Vocabulary.ROLE_NURSE);
        }
        if (!allowed) revert OrdersNotRequester(orderId, requester);
        return organisationId;
    }

    /// @dev Reverts unless `performerOrganisation` is an active organisation of the kind `kind` needs.
    function _requirePerformer(bytes32 orderId, uint8 kind, uint32 performerOrganisation) private view {
        if (kind == Vocabulary.ORDER_KIND_PRESCRIPTION && performerOrganisation == 0) return;
        uint8 needed =
            kind == Vocabulary.ORDER_KIND_LAB
                ? Vocabulary.KIND_LAB
                : kind == Vocabulary.ORDER_KIND_PRESCRIPTION
                    ? Vocabulary.KIND_PHARMACY
                    : Vocabulary.KIND_INSURER;
        IConsortium.Organisation memory performer = _consortium.organisation(performerOrganisation);
        if (performer.status != Vocabulary.ORGANISATION_ACTIVE || performer.kind != needed) {
            revert OrdersInvalidPerformer(orderId, performerOrganisation);
        }
    }

    /// @dev Reverts unless `actor` is an active member of `order`'s performer organisation.
    function _requirePerformerMember(bytes32 orderId, Order storage order, address actor) private view {
        uint32 organisationId = _consortium.activeOrganisationOf(actor);
        if (organisationId == 0 || organisationId != order.performerOrganisation) {
            revert OrdersNotPerformer(orderId, actor);
        }
    }

    /// @dev Reverts unless `actor` is an active pharmacist of an active pharmacy (`performerOrganisation` if
    /// it is not 0).
    function _requirePharmacist(bytes32 orderId, uint32 performerOrganisation, address actor) private view {
        uint32 organisationId = _consortium.activeOrganisationOf(actor);
        if (
            organisationId == 0 ||
            (performerOrganisation != 0 && organisationId != performerOrganisation) ||
            _consortium.member(actor).role != Vocabulary.ROLE_PHARMACIST ||
            _consortium.organisation(organisationId).kind != Vocabulary.KIND_PHARMACY
        ) revert OrdersNotPerformer(orderId, actor);
    }

    /// @dev Returns `order`'s status if it is open, else reverts.
    function _requireOpen(bytes32 orderId, Order storage order) private view returns (uint8 status) {
        status = order.status;
        if (status == 0) revert OrdersUnknownOrder(orderId);
        if (status > Vocabulary.ORDER_IN_PROGRESS) revert OrdersNotOpen(orderId, status);
    }

    /// @dev The record category of an order kind's request and result: lab, medication, insurance.
    function _categoryOf(uint8 kind) private pure returns (uint8) {
        if (kind == Vocabulary.ORDER_KIND_LAB) return Vocabulary.CATEGORY_LAB;
        if (kind == Vocabulary.ORDER_KIND_PRESCRIPTION) return Vocabulary.CATEGORY_MEDICATION;
        return Vocabulary.CATEGORY_INSURANCE;
    }
}
