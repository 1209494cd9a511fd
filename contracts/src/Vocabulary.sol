// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @dev The codes of the fixed vocabularies the contracts share (categories, sensitivities, actions, roles,
 * organisation kinds and statuses, request statuses, emergency reasons and verdicts, order kinds and statuses, erasure reasons, derivation kinds). The TypeScript side
 * (`packages/core/src/vocabulary.ts`) names them; `contracts/scripts/compile.ts` copies the numbers below to
 * `contracts/generated/vocabulary.ts`, which the core checks its lists against. Codes are only ever appended.
 */
library Vocabulary {
    /// @dev Record categories are 0..`CATEGORY_COUNT - 1`; consent scopes are bitmasks of them.
    uint8 internal constant CATEGORY_COUNT = 16;
    /// @dev The consent scope of every category.
    uint32 internal constant ALL_CATEGORIES = (uint32(1) << CATEGORY_COUNT) - 1;
    uint8 internal constant CATEGORY_CONDITION = 0;
    uint8 internal constant CATEGORY_MEDICATION = 1;
    uint8 internal constant CATEGORY_ALLERGY = 2;
    uint8 internal constant CATEGORY_LAB = 3;
    uint8 internal constant CATEGORY_EMERGENCY = 6;
    uint8 internal constant CATEGORY_INSURANCE = 7;

    /// @dev Sensitivities, ordered: a grant up to `SENSITIVITY_RESTRICTED` also covers `SENSITIVITY_NORMAL`.
    uint8 internal constant SENSITIVITY_NORMAL = 0;
    uint8 internal constant SENSITIVITY_RESTRICTED = 1;
    uint8 internal constant MAX_SENSITIVITY = 1;

    /// @dev Consent actions: bits of a `uint8` mask.
    uint8 internal constant ACTION_READ = 1;
    uint8 internal constant ACTION_APPEND = 2;
    uint8 internal constant ACTION_SHARE = 4;
    uint8 internal constant ALL_ACTIONS = ACTION_READ | ACTION_APPEND | ACTION_SHARE;

    /// @dev Member roles are 1..`ROLE_COUNT` (0: none); a record's patient co-signs as `ROLE_PATIENT`.
    uint8 internal constant ROLE_PATIENT = 0;
    uint8 internal constant ROLE_DOCTOR = 1;
    uint8 internal constant ROLE_NURSE = 2;
    uint8 internal constant ROLE_PHARMACIST = 4;
    uint8 internal constant ROLE_ADMIN = 6;
    uint8 internal constant ROLE_COUNT = 6;

    /// @dev Organisation kinds are 1..`KIND_COUNT` (0: none).
    uint8 internal constant KIND_COUNT = 4;
    uint8 internal constant KIND_HOSPITAL = 1;
    uint8 internal constant KIND_LAB = 2;
    uint8 internal constant KIND_PHARMACY = 3;
    uint8 internal constant KIND_INSURER = 4;

    /// @dev Organisation statuses (0: none).
    uint8 internal constant ORGANISATION_PENDING = 1;
    uint8 internal constant ORGANISATION_ACTIVE = 2;

    /// @dev Access request statuses (0: none).
    uint8 internal constant REQUEST_PENDING = 1;
    uint8 internal constant REQUEST_APPROVED = 2;
    uint8 internal constant REQUEST_DENIED = 3;

    /// @dev Emergency reasons are 1..`REASON_COUNT`.
    uint8 internal constant REASON_COUNT = 4;

    /// @dev Emergency verdicts (0: not reviewed).
    uint8 internal constant VERDICT_JUSTIFIED = 1;
    uint8 internal constant VERDICT_UNJUSTIFIED = 2;

    /// @dev Order kinds are 1..`ORDER_KIND_COUNT` (0: none): lab order, prescription, claim.
    uint8 internal constant ORDER_KIND_LAB = 1;
    uint8 internal constant ORDER_KIND_PRESCRIPTION = 2;
    uint8 internal constant ORDER_KIND_CLAIM = 3;
    uint8 internal constant ORDER_KIND_COUNT = 3;

    /// @dev Order statuses are 1..`ORDER_STATUS_COUNT` (0: none); placed, accepted and in progress are open.
    uint8 internal constant ORDER_PLACED = 1;
    uint8 internal constant ORDER_ACCEPTED = 2;
    uint8 internal constant ORDER_IN_PROGRESS = 3;
    uint8 internal constant ORDER_COMPLETED = 4;
    uint8 internal constant ORDER_CANCELLED = 5;
    uint8 internal constant ORDER_REJECTED = 6;
    uint8 internal constant ORDER_STATUS_COUNT = 6;

    /// @dev Erasure reasons are 1..`ERASURE_REASON_COUNT` (0: not erased): the patient's request (right to
    /// erasure), entered in error (the author's organisation, within the consortium's window), moved to
    /// another patient (only by a derivation), retention ended (only after a soft deletion).
    uint8 internal constant ERASURE_PATIENT_REQUEST = 1;
    uint8 internal constant ERASURE_ENTERED_IN_ERROR = 2;
    uint8 internal constant ERASURE_MOVED = 3;
    uint8 internal constant ERASURE_RETENTION_ENDED = 4;
    uint8 internal constant ERASURE_REASON_COUNT = 4;

    /// @dev Derivation kinds are 1..`DERIVATION_KIND_COUNT` (0: not derived): copy, duplicate, move.
    uint8 internal constant DERIVATION_COPY = 1;
    uint8 internal constant DERIVATION_DUPLICATE = 2;
    uint8 internal constant DERIVATION_MOVE = 3;
    uint8 internal constant DERIVATION_KIND_COUNT = 3;
}
