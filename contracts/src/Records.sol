// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IConsents} from "./IConsents.sol";
import {IConsortium} from "./IConsortium.sol";
import {IRecords} from "./IRecords.sol";
import {Vocabulary} from "./Vocabulary.sol";

/**
 * @dev Record anchoring. A record needs no nonce or deadline: its id can be anchored only once. Storage is
 * two slots per record (three once superseded), since gateways anchor records in large batches.
 */
contract Records is IRecords, EIP712 {
    bytes32 private constant RECORD_TYPEHASH = keccak256(
        "Record(bytes32 recordId,address patient,address author,uint8 category,uint8 sensitivity,bytes32 contentDigest,bytes32 supersedes,uint64 createdAt)"
    );

    IConsortium private immutable _consortium;
    IConsents private immutable _consents;

    mapping(bytes32 recordId => Anchor) private _anchors;
    uint256 private _recordCount;

    constructor(IConsortium consortium, IConsents consents) EIP712("medledger.Records", "1") {
        _consortium = consortium;
        _consents = consents;
    }

    /// @inheritdoc IRecords
    function anchorRecords(RecordInput[] calldata records) external {
        if (records.length == 0) revert RecordsEmptyBatch();
        for (uint256 i = 0; i < records.length; ++i) {
            _anchor(records[i]);
        }
        _recordCount += records.length;
    }

    /// @inheritdoc IRecords
    function anchorOf(bytes32 recordId) external view returns (Anchor memory) {
        return _anchors[recordId];
    }

    /// @inheritdoc IRecords
    function isAnchored(bytes32 recordId) public view returns (bool) {
        return _anchors[recordId].anchoredAt != 0;
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
    function _anchor(RecordInput calldata input) private {
        Record calldata record = input.record;
        bytes32 recordId = record.recordId;
        if (recordId == 0) revert RecordsInvalidRecordId(recordId);
        if (isAnchored(recordId)) revert RecordsAlreadyAnchored(recordId);
        if (record.category >= Vocabulary.CATEGORY_COUNT) revert RecordsInvalidCategory(recordId, record.category);
        if (record.sensitivity > Vocabulary.MAX_SENSITIVITY)
            revert RecordsInvalidSensitivity(recordId, record.sensitivity);
        if (record.contentDigest == 0) revert RecordsZeroContent(recordId);
        IConsortium.Patient memory patient = _consortium.patient(record.patient);
        if (!patient.registered) revert RecordsUnknownPatient(recordId, record.patient);
        bytes32 leaf = recordLeaf(record);
        // A patient signs with its current key (it may have rotated it); a member with its own.
        address signer = record.author == record.patient ? _consortium.signerOf(record.patient) : record.author;
        if (!SignatureChecker.isValidSignatureNowCalldata(signer, _hashTypedDataV4(leaf), input.signature)) {
            revert RecordsInvalidSignature(recordId, record.author);
        }
        uint32 organisationId =
            record.author == record.patient ? patient.organisationId : _authorOrganisation(record, input.grantId);
        if (record.supersedes != 0) _requireSupersedable(record);

        Anchor storage anchor = _anchors[recordId];
        anchor.leaf = leaf;
        anchor.patient = record.patient;
        anchor.anchoredAt = uint64(block.timestamp);
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
            _anchors[record.supersedes].supersededBy = recordId;
            emit RecordSuperseded(record.supersedes, recordId);
        }
    }

    /// @dev Returns the organisation of `record`'s author if grant `grantId` lets it append the record, else
    /// reverts.
    function _authorOrganisation(Record calldata record, uint256 grantId) private view returns (uint32 organisationId) {
        organisationId = _consortium.activeOrganisationOf(record.author);
        if (
            organisationId == 0 ||
            !_consents.checkGrant(
                grantId,
                record.author,
                record.patient,
                record.category,
                record.sensitivity,
                Vocabulary.ACTION_APPEND
            )
        ) revert RecordsNotAuthorised(record.recordId, record.author);
    }

    /// @dev Reverts unless `record.supersedes` is an anchored record of the same patient, not yet superseded.
    function _requireSupersedable(Record calldata record) private view {
        Anchor storage superseded = _anchors[record.supersedes];
        if (superseded.anchoredAt == 0) revert RecordsUnknownSupersedes(record.recordId, record.supersedes);
        if (superseded.patient != record.patient) {
            revert RecordsSupersedesOtherPatient(record.recordId, record.supersedes);
        }
        if (superseded.supersededBy != 0) {
            revert RecordsAlreadySuperseded(record.recordId, record.supersedes, superseded.supersededBy);
        }
    }
}
