// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IConsents} from "./IConsents.sol";
import {IConsortium} from "./IConsortium.sol";
import {IRecords} from "./IRecords.sol";
import {Vocabulary} from "./Vocabulary.sol";
import {Signatures} from "./utils/Signatures.sol";

/**
 * @dev Record anchoring. A record needs no nonce or deadline: its id can be anchored only once.
 *
 * Storage is one slot per record, since gateways anchor records in large batches: bits 216..255 hold the
 * anchoring time (`uint40`), bits 184..215 the patient's number (`IConsortium.patientIndexOf`, `uint32`) and
 * bits 0..183 the low 184 bits of the record's leaf (see {IRecords}). An amended record takes one more slot
 * (the record that superseded it). Within a batch, the last patient and the last author's grant looked up
 * are remembered, so a batch of one patient's records by one author reads them once.
 */
contract Records is IRecords, EIP712 {
    bytes32 private constant RECORD_TYPEHASH = keccak256(
        "Record(bytes32 recordId,address patient,address author,uint8 category,uint8 sensitivity,bytes32 contentDigest,bytes32 supersedes,uint64 createdAt)"
    );
    uint256 private constant LEAF_MASK = (uint256(1) << 184) - 1;
    uint256 private constant PATIENT_SHIFT = 184;
    uint256 private constant TIME_SHIFT = 216;

    IConsortium private immutable _consortium;
    IConsents private immutable _consents;

    mapping(bytes32 recordId => uint256 anchor) private _anchors;
    mapping(bytes32 recordId => bytes32 supersededBy) private _supersededBy;
    uint256 private _recordCount;

    /// @dev The last patient a batch looked up (`signer` zero until a record of the patient's own needs it).
    struct PatientMemo {
        address patient;
        uint32 index;
        uint32 organisationId;
        address signer;
    }

    /// @dev The last author authorisation a batch looked up: what grant `grantId` lets `author` append to
    /// `patient`'s records (see {IConsents-grantScope}).
    struct GrantMemo {
        address author;
        address patient;
        uint256 grantId;
        uint32 organisationId;
        uint32 categories;
        uint8 maxSensitivity;
    }

    constructor(IConsortium consortium, IConsents consents) EIP712("medledger.Records", "1") {
        _consortium = consortium;
        _consents = consents;
    }

    /// @inheritdoc IRecords
    function anchorRecords(RecordInput[] calldata records) external {
        if (records.length == 0) revert RecordsEmptyBatch();
        PatientMemo memory patientMemo;
        GrantMemo memory grantMemo;
        for (uint256 i = 0; i < records.length; ++i) {
            _anchor(records[i], patientMemo, grantMemo);
        }
        _recordCount += records.length;
    }

    /// @inheritdoc IRecords
    function anchorOf(bytes32 recordId) external view returns (Anchor memory anchor) {
        uint256 packed = _anchors[recordId];
        if (packed == 0) return anchor;
        anchor.leaf = bytes32(packed & LEAF_MASK);
        anchor.patient = _consortium.patientAt(uint32(packed >> PATIENT_SHIFT));
        anchor.anchoredAt = uint64(packed >> TIME_SHIFT);
        anchor.supersededBy = _supersededBy[recordId];
    }

    /// @inheritdoc IRecords
    function anchorTimeOf(Record calldata record) external view returns (uint64 anchoredAt, bool sameLeaf) {
        uint256 packed = _anchors[record.recordId];
        anchoredAt = uint64(packed >> TIME_SHIFT);
        sameLeaf = anchoredAt != 0 && packed & LEAF_MASK == uint256(recordLeaf(record)) & LEAF_MASK;
    }

    /// @inheritdoc IRecords
    function isAnchored(bytes32 recordId) public view returns (bool) {
        return _anchors[recordId] != 0;
    }

    /// @inheritdoc IRecords
    function recordLeaf(Record calldata record) public pure returns (bytes32) {
        // Record has only static fields, so abi.encode lays them out one word each, as EIP-712 encodeData.
        return keccak256(abi.encode(RECORD_TYPEHASH, record));
    }

    /// @inheritdoc IRecords
    function recordCount() external view returns (uint256) {
        return _recordCount;
    }

    /// @dev Checks and anchors one record of a batch. Emits {RecordAnchored} and possibly {RecordSuperseded}.
    function _anchor(RecordInput calldata input, PatientMemo memory patient, GrantMemo memory grant) private {
        Record calldata record = input.record;
        bytes32 recordId = record.recordId;
        if (recordId == 0) revert RecordsInvalidRecordId(recordId);
        if (_anchors[recordId] != 0) revert RecordsAlreadyAnchored(recordId);
        if (record.category >= Vocabulary.CATEGORY_COUNT) revert RecordsInvalidCategory(recordId, record.category);
        if (record.sensitivity > Vocabulary.MAX_SENSITIVITY)
            revert RecordsInvalidSensitivity(recordId, record.sensitivity);
        if (record.contentDigest == 0) revert RecordsZeroContent(recordId);
        if (patient.patient != record.patient) {
            (patient.index, patient.organisationId) = _consortium.patientIndexOf(record.patient);
            patient.patient = record.patient;
            patient.signer = address(0);
        }
        if (patient.index == 0) revert RecordsUnknownPatient(recordId, record.patient);
        bytes32 leaf = recordLeaf(record);
        // A patient signs with its current key (it may have rotated it); a member with its own.
        bool byPatient = record.author == record.patient;
        if (byPatient && patient.signer == address(0)) patient.signer = _consortium.signerOf(record.patient);
        address signer = byPatient ? patient.signer : record.author;
        if (!Signatures.isValidNowCalldata(signer, _hashTypedDataV4(leaf), input.signature)) {
            revert RecordsInvalidSignature(recordId, record.author);
        }
        uint32 organisationId = byPatient ? patient.organisationId : _authorOrganisation(record, input.grantId, grant);
        if (record.supersedes != 0) _requireSupersedable(record, patient.index);

        _anchors[recordId] =
            (block.timestamp << TIME_SHIFT) |
            (uint256(patient.index) << PATIENT_SHIFT) |
            (uint256(leaf) & LEAF_MASK);
        emit RecordAnchored(
            recordId,
            record.patient,
            record.author,
            organisationId,
            record.category,
            record.sensitivity,
            record.contentDigest,
            record.supersedes,
            record.createdAt
        );
        if (record.supersedes != 0) {
            _supersededBy[record.supersedes] = recordId;
            emit RecordSuperseded(record.supersedes, recordId);
        }
    }

    /// @dev Returns the organisation of `record`'s author if grant `grantId` lets it append the record, else
    /// reverts. Asks {IConsents-grantScope} unless `grant` already holds its answer.
    function _authorOrganisation(
        Record calldata record,
        uint256 grantId,
        GrantMemo memory grant
    ) private view returns (uint32) {
        if (grant.author != record.author || grant.patient != record.patient || grant.grantId != grantId) {
            (grant.organisationId, grant.categories, grant.maxSensitivity) = _consents.grantScope(
                grantId,
                record.author,
                record.patient,
                Vocabulary.ACTION_APPEND
            );
            grant.author = record.author;
            grant.patient = record.patient;
            grant.grantId = grantId;
        }
        if (
            grant.organisationId == 0 ||
            (grant.categories >> record.category) & 1 == 0 ||
            record.sensitivity > grant.maxSensitivity
        ) revert RecordsNotAuthorised(record.recordId, record.author);
        return grant.organisationId;
    }

    /// @dev Reverts unless `record.supersedes` is an anchored record of the same patient (number
    /// `patientIndex`), not yet superseded.
    function _requireSupersedable(Record calldata record, uint32 patientIndex) private view {
        uint256 superseded = _anchors[record.supersedes];
        if (superseded == 0) revert RecordsUnknownSupersedes(record.recordId, record.supersedes);
        if (uint32(superseded >> PATIENT_SHIFT) != patientIndex) {
            revert RecordsSupersedesOtherPatient(record.recordId, record.supersedes);
        }
        bytes32 supersededBy = _supersededBy[record.supersedes];
        if (supersededBy != 0) revert RecordsAlreadySuperseded(record.recordId, record.supersedes, supersededBy);
    }
}
