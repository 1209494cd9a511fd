// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IRecords} from "./IRecords.sol";
import {ISignedActions} from "./ISignedActions.sol";

/**
 * @dev Orders: one state machine for lab orders, prescriptions and insurance claims. An order's id is the
 * record id of its request record (a ServiceRequest, MedicationRequest or Claim), and every step that writes
 * a record anchors it through {IRecords-anchorRecords} in the same transaction, so a step and its record
 * happen together or not at all. The records' authority is their authors' signatures and grants (Records
 * checks them): a claim by an organisation without the patient's consent, or a dispense by a pharmacy the
 * patient does not allow, reverts there.
 *
 * Kinds are 1 lab (ServiceRequest, results of category lab), 2 prescription (MedicationRequest, dispenses
 * of category medication), 3 claim (Claim, a ClaimResponse of category insurance). Statuses are 1 placed,
 * 2 accepted, 3 in progress, 4 completed, 5 cancelled, 6 rejected; placed, accepted and in progress are open.
 *
 * Every error names the order.
 */
interface IOrders is ISignedActions {
    /**
     * @dev An order. `performerOrganisation` is the lab, pharmacy or insurer it is sent to (0: a prescription
     * any pharmacy the patient allows may dispense). `quantity` and `fills` (1 + refills) are a prescription's;
     * `dispensed` and `fillsUsed` count what was dispensed. Times are block timestamps.
     */
    struct Order {
        address patient;
        address requester;
        uint32 requesterOrganisation;
        uint32 performerOrganisation;
        uint8 kind;
        uint8 status;
        uint32 quantity;
        uint32 dispensed;
        uint16 fills;
        uint16 fillsUsed;
        uint64 placedAt;
        uint64 updatedAt;
    }

    /// @dev `requester` placed order `orderId` (the id of its request record) for `patient`.
    /// @param orderId The order (its request record's id).
    /// @param patient The order's patient.
    /// @param requester The member who placed it (the request record's author).
    /// @param requesterOrganisation The requester's organisation.
    /// @param performerOrganisation The organisation it is sent to (0: any pharmacy the patient allows).
    /// @param kind The kind (1 lab, 2 prescription, 3 claim).
    /// @param quantity The quantity prescribed (0 for lab orders and claims).
    /// @param fills The number of fills allowed (0 for lab orders and claims).
    event OrderPlaced(
        bytes32 indexed orderId,
        address indexed patient,
        address indexed requester,
        uint32 requesterOrganisation,
        uint32 performerOrganisation,
        uint8 kind,
        uint32 quantity,
        uint16 fills
    );

    /// @dev `actor` moved order `orderId` to `status`.
    /// @param orderId The order.
    /// @param status The new status (2 accepted, 3 in progress, 5 cancelled, 6 rejected).
    /// @param actor The member or patient who signed the change.
    event OrderStatusChanged(bytes32 indexed orderId, uint8 status, address indexed actor);

    /// @dev `actor` posted the result `result` of order `orderId`, which is now completed.
    /// @param orderId The order.
    /// @param actor The performer's member who posted the result.
    /// @param result The first result record (a DiagnosticReport or a ClaimResponse).
    event OrderCompleted(bytes32 indexed orderId, address indexed actor, bytes32 result);

    /// @dev `actor` dispensed `quantity` of prescription `orderId` with the record `record`.
    /// @param orderId The order.
    /// @param actor The pharmacist who dispensed.
    /// @param quantity The quantity dispensed now.
    /// @param dispensed The quantity dispensed in all.
    /// @param fillsUsed The fills used in all.
    /// @param record The MedicationDispense record.
    event OrderDispensed(
        bytes32 indexed orderId,
        address indexed actor,
        uint32 quantity,
        uint32 dispensed,
        uint16 fillsUsed,
        bytes32 record
    );

    /// @dev `kind` is not 1 (lab), 2 (prescription) or 3 (claim).
    /// @param orderId The order.
    /// @param kind The kind given.
    error OrdersInvalidKind(bytes32 orderId, uint8 kind);

    /// @dev An order with this id was already placed.
    /// @param orderId The order.
    error OrdersAlreadyPlaced(bytes32 orderId);

    /// @dev No order with this id was placed.
    /// @param orderId The order.
    error OrdersUnknownOrder(bytes32 orderId);

    /// @dev `requester` may not place an order of this kind: it is not an active member, or its role or its
    /// organisation's kind does not fit (lab: doctor or nurse; prescription: doctor; claim: a hospital's member).
    /// @param orderId The order.
    /// @param requester The request record's author.
    error OrdersNotRequester(bytes32 orderId, address requester);

    /// @dev `performerOrganisation` is not an active organisation of the kind the order needs (a lab, a
    /// pharmacy or none, an insurer).
    /// @param orderId The order.
    /// @param performerOrganisation The organisation given.
    error OrdersInvalidPerformer(bytes32 orderId, uint32 performerOrganisation);

    /// @dev The quantity or fills do not fit the kind (a prescription needs both at least 1, the other kinds
    /// both 0), or a dispense's quantity is 0.
    /// @param orderId The order.
    /// @param quantity The quantity given.
    /// @param fills The fills given (the order's, for a dispense).
    error OrdersInvalidQuantity(bytes32 orderId, uint32 quantity, uint16 fills);

    /// @dev The record `recordId` does not belong to this step of the order: its category is not the kind's
    /// (lab, medication, insurance), or its patient is not the order's, or its author is not the actor.
    /// @param orderId The order.
    /// @param recordId The record.
    error OrdersRecordMismatch(bytes32 orderId, bytes32 recordId);

    /// @dev The order cannot go from `status` to `newStatus` (or `newStatus` is not a status one may set).
    /// @param orderId The order.
    /// @param status The order's status.
    /// @param newStatus The status asked for.
    error OrdersInvalidTransition(bytes32 orderId, uint8 status, uint8 newStatus);

    /// @dev `actor` may not perform this order: it is not an active member of the performer organisation (or,
    /// for a prescription, not an active pharmacist of a pharmacy, the named one if any).
    /// @param orderId The order.
    /// @param actor The member who signed the step.
    error OrdersNotPerformer(bytes32 orderId, address actor);

    /// @dev `actor` may not cancel the order: it is neither its patient nor its requester (an active member).
    /// @param orderId The order.
    /// @param actor The account given.
    error OrdersNotRequesterOrPatient(bytes32 orderId, address actor);

    /// @dev The step does not apply to the order's kind (a result for a prescription, a dispense for a lab
    /// order or a claim).
    /// @param orderId The order.
    /// @param kind The order's kind.
    error OrdersWrongKind(bytes32 orderId, uint8 kind);

    /// @dev The order is not open (placed, accepted or in progress).
    /// @param orderId The order.
    /// @param status The order's status.
    error OrdersNotOpen(bytes32 orderId, uint8 status);

    /// @dev A result needs at least one record.
    /// @param orderId The order.
    error OrdersNoResults(bytes32 orderId);

    /// @dev Every fill of the prescription was used.
    /// @param orderId The order.
    /// @param fills The fills the prescription allows.
    error OrdersFillsUsed(bytes32 orderId, uint16 fills);

    /// @dev Dispensing `requested` would exceed the quantity prescribed; `remaining` is what is left.
    /// @param orderId The order.
    /// @param requested The quantity asked for.
    /// @param remaining The quantity left to dispense.
    error OrdersQuantityExceeded(bytes32 orderId, uint32 requested, uint32 remaining);

    /**
     * @dev Places an order whose request record is `request` (its author signs the typed `PlaceOrder`) and
     * anchors that record.
     *
     * Requirements:
     *
     * - `deadline` not passed, nonce unused, `signature` the request author's signature of `PlaceOrder`.
     * - no order with the request's record id; `kind` is 1, 2 or 3.
     * - lab: the author is an active doctor or nurse; `performerOrganisation` an active lab.
     * - prescription: the author is an active doctor; `performerOrganisation` 0 or an active pharmacy;
     *   `quantity` and `fills` at least 1.
     * - claim: the author is an active member of a hospital; `performerOrganisation` an active insurer.
     * - lab and claim: `quantity` and `fills` 0.
     * - the request record's category is the kind's (lab, medication, insurance).
     * - the request record can be anchored ({IRecords-anchorRecords}: the author's append grant).
     *
     * Emits {OrderPlaced}, and the request's {IRecords-RecordAnchored}.
     *
     * @param request The request record with its author's signature and grant.
     * @param kind The kind (1 lab, 2 prescription, 3 claim).
     * @param performerOrganisation The lab, pharmacy (0: any) or insurer the order is sent to.
     * @param quantity The quantity prescribed (prescriptions only).
     * @param fills The fills allowed, 1 + refills (prescriptions only).
     * @param nonce The requester's nonce.
     * @param deadline The last second the action is valid.
     * @param signature The requester's signature of `PlaceOrder`.
     */
    function place(
        IRecords.RecordInput calldata request,
        uint8 kind,
        uint32 performerOrganisation,
        uint32 quantity,
        uint16 fills,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Moves order `orderId` to `status`, signed by `actor` (typed `OrderStatus`).
     *
     * Requirements:
     *
     * - `deadline` not passed, nonce unused (the patient's, for a patient), `signature` `actor`'s (for the
     *   patient, its current signing key's).
     * - the order exists and is open.
     * - accepted (2), in progress (3), rejected (6): a lab order or a claim; `actor` an active member of its
     *   performer organisation; placed to accepted or in progress, accepted to in progress, any open to rejected.
     * - cancelled (5): `actor` is the order's patient, or its requester while an active member.
     *
     * Emits {OrderStatusChanged}.
     *
     * @param orderId The order.
     * @param status The new status.
     * @param actor The member or patient who signs.
     * @param nonce The actor's nonce.
     * @param deadline The last second the action is valid.
     * @param signature The actor's signature of `OrderStatus`.
     */
    function setStatus(
        bytes32 orderId,
        uint8 status,
        address actor,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Completes lab order or claim `orderId` with its result records (the first a DiagnosticReport or a
     * ClaimResponse, then e.g. Observations), signed by their author (typed `CompleteOrder`), and anchors them.
     *
     * Requirements:
     *
     * - at least one result; `deadline` not passed, nonce unused, `signature` the first result's author's.
     * - the order exists, is a lab order or a claim, and is open.
     * - the author is an active member of the performer organisation.
     * - every result is of the order's patient and by the author; the first of the kind's category.
     * - the results can be anchored ({IRecords-anchorRecords}).
     *
     * Emits {OrderCompleted}, and a {IRecords-RecordAnchored} for each result.
     *
     * @param orderId The order.
     * @param results The result records with their author's signature and grant.
     * @param nonce The author's nonce.
     * @param deadline The last second the action is valid.
     * @param signature The author's signature of `CompleteOrder`.
     */
    function complete(
        bytes32 orderId,
        IRecords.RecordInput[] calldata results,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Dispenses `quantity` of prescription `orderId` with the MedicationDispense record `dispenseRecord`,
     * signed by its author (typed `DispenseOrder`), and anchors the record. Of two dispenses for the last units
     * the chain orders, the second reverts.
     *
     * Requirements:
     *
     * - `deadline` not passed, nonce unused, `signature` the record author's.
     * - the order exists, is a prescription, and is neither cancelled nor rejected.
     * - the author is an active pharmacist of an active pharmacy, the performer if one was named.
     * - the record is of category medication, of the order's patient.
     * - `quantity` at least 1; a fill left; `quantity` at most what remains.
     * - the record can be anchored (the pharmacist's append grant on medication).
     *
     * Emits {OrderDispensed}, and the record's {IRecords-RecordAnchored}.
     *
     * @param orderId The order.
     * @param quantity The quantity dispensed.
     * @param dispenseRecord The MedicationDispense record with its author's signature and grant.
     * @param nonce The pharmacist's nonce.
     * @param deadline The last second the action is valid.
     * @param signature The pharmacist's signature of `DispenseOrder`.
     */
    function dispense(
        bytes32 orderId,
        uint32 quantity,
        IRecords.RecordInput calldata dispenseRecord,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @dev Returns order `orderId` (all zero if none was placed).
    /// @param orderId The order.
    /// @return The order.
    function orderOf(bytes32 orderId) external view returns (Order memory);

    /// @dev Returns the number of orders placed.
    /// @return The number of orders placed.
    function orderCount() external view returns (uint256);
}
