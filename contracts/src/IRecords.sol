// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @dev Anchors of health records: the EIP-712 struct hash of each record's signed leaf (never the content,
 * which stays encrypted off chain). An amendment supersedes an anchored record of the same patient; a
 * record is superseded at most once, so amendments form a chain and nothing is ever overwritten.
 *
 * Every error of {anchorRecords} names the offending record, so a relayer can drop it and resend the rest.
 */
interface IRecords {
    /// @dev The record leaf the author signs (typed `Record`). Category is 0..11, sensitivity 0..1.
    struct Record {
        bytes32 recordId;
        address patient;
        address author;
        uint8 category;
        uint8 sensitivity;
        bytes32 contentDigest;
        bytes32 supersedes;
        uint64 createdAt;
    }

    /// @dev A record to anchor, with its author's signature and, when the author is not the patient, the
    /// grant (with the append action) that lets the author write to the patient's records.
    struct RecordInput {
        Record record;
        uint256 grantId;
        bytes signature;
    }

    /// @dev What the chain keeps of an anchored record; `leaf` is the struct hash of its {Record}.
    struct Anchor {
        bytes32 leaf;
        address patient;
        uint64 anchoredAt;
        bytes32 supersededBy;
    }

    /// @dev `organisationId` is the author's organisation, or the patient's (possibly 0) if the patient
    /// wrote the record.
    event RecordAnchored(
        bytes32 indexed recordId,
        address indexed patient,
        address indexed author,
        uint32 organisationId,
        uint8 category,
        uint8 sensitivity,
        bytes32 contentDigest,
        bytes32 supersedes,
        uint64 createdAt
    );

    /// @dev The anchored record `recordId` was amended by `supersededBy`.
    event RecordSuperseded(bytes32 indexed recordId, bytes32 indexed supersededBy);

    /// @dev The batch is empty.
    error RecordsEmptyBatch();

    /// @dev The record id is zero (zero means "supersedes nothing").
    error RecordsInvalidRecordId(bytes32 recordId);

    error RecordsAlreadyAnchored(bytes32 recordId);

    error RecordsUnknownPatient(bytes32 recordId, address patient);

    error RecordsInvalidCategory(bytes32 recordId, uint8 category);

    error RecordsInvalidSensitivity(bytes32 recordId, uint8 sensitivity);

    error RecordsZeroContent(bytes32 recordId);

    /// @dev The signature is not `author`'s signature of the record leaf.
    error RecordsInvalidSignature(bytes32 recordId, address author);

    /// @dev `author` is neither the patient nor an active member holding a grant in force that covers
    /// appending a record of this category and sensitivity.
    error RecordsNotAuthorised(bytes32 recordId, address author);

    /// @dev `supersedes` is not anchored.
    error RecordsUnknownSupersedes(bytes32 recordId, bytes32 supersedes);

    /// @dev `supersedes` belongs to another patient.
    error RecordsSupersedesOtherPatient(bytes32 recordId, bytes32 supersedes);

    /// @dev `supersedes` was already superseded by `supersededBy`.
    error RecordsAlreadySuperseded(bytes32 recordId, bytes32 supersedes, bytes32 supersededBy);

    /**
     * @dev Anchors a batch of records, all or none.
     *
     * Requirements, for each record:
     *
     * - its id is not zero and not anchored (also earlier in the batch).
     * - category is 0..11, sensitivity 0..1, contentDigest is not zero.
     * - the patient is registered.
     * - the signature is the author's signature of the typed `Record` (ECDSA or ERC-1271).
     * - the author is the patient, or an active member for whom grant `grantId` of the patient is in force
     *   and covers appending a record of this category and sensitivity.
     * - if `supersedes` is not zero: an anchored record of the same patient, not superseded yet.
     *
     * Emits {RecordAnchored} for each record, followed by {RecordSuperseded} for an amendment.
     */
    function anchorRecords(RecordInput[] calldata records) external;

    /// @dev Returns the anchor of `recordId` (all zero if it is not anchored).
    function anchorOf(bytes32 recordId) external view returns (Anchor memory);

    function isAnchored(bytes32 recordId) external view returns (bool);

    /// @dev Returns the EIP-712 struct hash of `record`, the leaf the chain keeps.
    function recordLeaf(Record calldata record) external pure returns (bytes32);

    /// @dev Returns the number of anchored records.
    function recordCount() external view returns (uint256);
}
