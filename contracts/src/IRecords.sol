// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @dev Anchors of health records: the EIP-712 struct hash of each record's signed leaf (never the content,
 * which stays encrypted off chain). An amendment supersedes an anchored record of the same patient; a
 * record is superseded at most once, so amendments form a chain and nothing is ever overwritten.
 *
 * To keep each anchor in one storage slot, the chain's state keeps the low 184 bits of the leaf (with the
 * anchoring time and the patient's number), not all 256: {anchorOf} returns them as `leaf`, its 72 high bits
 * zero. Finding another record with the same 184 bits takes about 2^184 hashes; only an author could
 * profit from two records sharing them and would need about 2^92 hashes to find such a pair, still out of
 * reach. The full leaf stays on chain besides: {anchorRecords}'s calldata carries each signed record, and
 * {RecordAnchored} carries every field of it, so a verifier recomputes the full leaf from the event, checks
 * the author's signature from the transaction's calldata, and compares the state's 184 bits (the gateway's
 * and the client's checks do, see `anchoredLeafHash` in the core package).
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

    /// @dev What the chain keeps of an anchored record: `leaf` is the struct hash of its {Record}, its 72 high
    /// bits cleared (the chain keeps the low 184); `supersededBy` is zero until an amendment supersedes it.
    struct Anchor {
        bytes32 leaf;
        address patient;
        uint64 anchoredAt;
        bytes32 supersededBy;
    }

    /// @dev `organisationId` is the author's organisation, or the patient's (possibly 0) if the patient
    /// wrote the record.
    /// @param recordId The record.
    /// @param patient The record's patient.
    /// @param author The record's author (a member, or the patient).
    /// @param organisationId The author's organisation (for a patient author, its organisation, possibly 0).
    /// @param category The record category (0..11).
    /// @param sensitivity The record sensitivity (0 normal, 1 restricted).
    /// @param contentDigest The digest of the record's encrypted content.
    /// @param supersedes The record it replaces (zero for none).
    /// @param createdAt When the author created the record (unix seconds, as signed).
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
    /// @param recordId The record replaced.
    /// @param supersededBy The record that replaces it.
    event RecordSuperseded(bytes32 indexed recordId, bytes32 indexed supersededBy);

    /// @dev The batch is empty.
    error RecordsEmptyBatch();

    /// @dev The record id is zero (zero means "supersedes nothing").
    /// @param recordId The record.
    error RecordsInvalidRecordId(bytes32 recordId);

    /// @dev `recordId` is already anchored.
    /// @param recordId The record.
    error RecordsAlreadyAnchored(bytes32 recordId);

    /// @dev The record's `patient` is not a registered patient.
    /// @param recordId The record.
    /// @param patient The address that is not a registered patient.
    error RecordsUnknownPatient(bytes32 recordId, address patient);

    /// @dev The record's `category` is not one of 0..11.
    /// @param recordId The record.
    /// @param category The category given.
    error RecordsInvalidCategory(bytes32 recordId, uint8 category);

    /// @dev The record's `sensitivity` is not 0 (normal) or 1 (restricted).
    /// @param recordId The record.
    /// @param sensitivity The sensitivity given.
    error RecordsInvalidSensitivity(bytes32 recordId, uint8 sensitivity);

    /// @dev The record's content digest is zero.
    /// @param recordId The record.
    error RecordsZeroContent(bytes32 recordId);

    /// @dev The signature is not `author`'s signature of the record leaf.
    /// @param recordId The record.
    /// @param author The author whose signature is invalid.
    error RecordsInvalidSignature(bytes32 recordId, address author);

    /// @dev `author` is neither the patient nor an active member holding a grant in force that covers
    /// appending a record of this category and sensitivity.
    /// @param recordId The record.
    /// @param author The author that may not append to the patient's records.
    error RecordsNotAuthorised(bytes32 recordId, address author);

    /// @dev `supersedes` is not anchored.
    /// @param recordId The record.
    /// @param supersedes The record it replaces (zero for none).
    error RecordsUnknownSupersedes(bytes32 recordId, bytes32 supersedes);

    /// @dev `supersedes` belongs to another patient.
    /// @param recordId The record.
    /// @param supersedes The record it replaces (zero for none).
    error RecordsSupersedesOtherPatient(bytes32 recordId, bytes32 supersedes);

    /// @dev `supersedes` was already superseded by `supersededBy`.
    /// @param recordId The record.
    /// @param supersedes The record it replaces (zero for none).
    /// @param supersededBy The record that already replaced it.
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
     *
     * @param records The records to anchor (at least one), each with its signature.
     */
    function anchorRecords(RecordInput[] calldata records) external;

    /// @dev Returns the anchor of `recordId` (all zero if it is not anchored).
    /// @param recordId The record.
    /// @return The anchor (all zero if the record is not anchored).
    function anchorOf(bytes32 recordId) external view returns (Anchor memory);

    /// @dev Returns when `record.recordId` was anchored (0 if it is not) and whether it was anchored with
    /// `record`'s leaf (its 184 low bits, as kept). Other contracts check a record's fields with this one call.
    /// @param record The record's signed fields.
    /// @return anchoredAt The block timestamp of its anchoring (0 if the record id is not anchored).
    /// @return sameLeaf True if the record id is anchored with this record's leaf.
    function anchorTimeOf(Record calldata record) external view returns (uint64 anchoredAt, bool sameLeaf);

    /// @dev Returns true if `recordId` is anchored.
    /// @param recordId The record.
    /// @return True if the record is anchored.
    function isAnchored(bytes32 recordId) external view returns (bool);

    /// @dev Returns the EIP-712 struct hash of `record`, the leaf (the chain keeps its low 184 bits).
    /// @param record The record's signed fields.
    /// @return The EIP-712 struct hash of the record.
    function recordLeaf(Record calldata record) external pure returns (bytes32);

    /// @dev Returns the number of anchored records.
    /// @return The number of records anchored.
    function recordCount() external view returns (uint256);
}
