/**
 * Errors as FHIR sees them: the one place where a thrown value becomes an HTTP status and an
 * OperationOutcome. Operations throw the core's error classes with a stable `reason`; the reasons
 * below are the FHIR server's own, for the statuses the core's codes do not tell (412, 422 for an
 * invalid resource, 405, 406, 501).
 */
import { errorCodeOf, httpStatusOf, MedledgerError } from '@medledger/core';

/** The FHIR server's reasons that change the status the core's error code would give. */
export const fhirReasons = {
  /** The resource fails validation (an `InvalidInputError`): 422, one issue per problem. */
  invalidResource: 'fhir_invalid_resource',
  /**
   * A precondition failed (a `ConflictError`): 412. `If-Match` names another version than the
   * latest, or `If-None-Exist` matches more than one resource.
   */
  preconditionFailed: 'fhir_precondition_failed',
  /** The interaction exists in FHIR but not on this resource (an `InvalidInputError`): 405. */
  methodNotAllowed: 'fhir_method_not_allowed',
  /** The interaction or operation is not implemented (an `InvalidInputError`): 501. */
  notImplemented: 'fhir_not_implemented',
  /** A resource type this server does not serve (an `InvalidInputError`): 404, as FHIR asks. */
  unsupportedType: 'fhir_unsupported_type',
  /** A format other than JSON was asked for (an `InvalidInputError`): 406. */
  formatUnsupported: 'fhir_format_unsupported',
  /** An unknown search parameter under `Prefer: handling=strict` (an `InvalidInputError`): 400. */
  unknownSearchParameter: 'fhir_unknown_search_parameter',
} as const;

const statusByReason: Readonly<Record<string, number>> = {
  [fhirReasons.invalidResource]: 422,
  [fhirReasons.preconditionFailed]: 412,
  [fhirReasons.methodNotAllowed]: 405,
  [fhirReasons.notImplemented]: 501,
  [fhirReasons.formatUnsupported]: 406,
  [fhirReasons.unsupportedType]: 404,
};

/** FHIR issue types (http://hl7.org/fhir/issue-type) by HTTP status. */
const issueCodeByStatus: Readonly<Record<number, string>> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  405: 'not-supported',
  406: 'not-supported',
  409: 'conflict',
  410: 'deleted',
  412: 'conflict',
  422: 'invalid',
  429: 'throttled',
  501: 'not-supported',
  502: 'exception',
  503: 'transient',
};

export interface OperationOutcomeIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: string;
  diagnostics?: string;
  expression?: string[];
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: OperationOutcomeIssue[];
}

/**
 * The HTTP status of a thrown value: the FHIR server's reasons first, then the core's codes, except
 * that a record failing its integrity check (the gateway served something else than the chain
 * anchors) is the upstream's fault (502), not the caller's.
 *
 * @example
 * fhirStatusOf(new ConflictError('stale', { reason: fhirReasons.preconditionFailed })); // 412
 */
export function fhirStatusOf(error: unknown): number {
  if (error instanceof MedledgerError && error.reason && statusByReason[error.reason]) {
    return statusByReason[error.reason] as number;
  }
  if (errorCodeOf(error) === 'integrity') return 502;
  if (errorCodeOf(error) === 'unauthenticated') return 502;
  return httpStatusOf(error);
}

/**
 * A thrown value as an OperationOutcome with its HTTP status: an issue saying what happened, and
 * for a validation failure one more per problem, each naming its element path in `expression`
 * (from the validator's meta messages, `path: message`); a refusal of the HTTP framework keeps its 4xx status; anything else that is
 * not a medledger error says only that the server failed.
 *
 * @example
 * const { status, outcome } = outcomeOfError(error);
 */
export function outcomeOfError(error: unknown): { status: number; outcome: OperationOutcome } {
  const status = fhirStatusOf(error);
  const code = issueCodeByStatus[status] ?? 'exception';
  const frameworkStatus = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (
    !(error instanceof MedledgerError) &&
    typeof frameworkStatus === 'number' &&
    frameworkStatus >= 400 &&
    frameworkStatus < 500
  ) {
    // The HTTP framework's refusals before any route (a body too large, a malformed URL): their own status.
    return {
      status: frameworkStatus,
      outcome: operationOutcome([
        {
          severity: 'error',
          code: frameworkStatus === 413 ? 'too-long' : (issueCodeByStatus[frameworkStatus] ?? 'invalid'),
          diagnostics: (error as Error).message,
        },
      ]),
    };
  }
  if (!(error instanceof MedledgerError)) {
    return {
      status,
      outcome: operationOutcome([{ severity: 'error', code, diagnostics: 'The FHIR server failed.' }]),
    };
  }
  const problems =
    error.reason === fhirReasons.invalidResource
      ? (error.metaMessages ?? []).map((line) => problemOfLine(line, code))
      : [];
  // What happened first (e.g. that nothing was written), then each problem with its element.
  const issues: OperationOutcomeIssue[] = [
    { severity: 'error', code, diagnostics: error.shortMessage },
    ...problems,
  ];
  return { status, outcome: operationOutcome(issues) };
}

/** A validator's `path: message` line as an issue naming the element. */
function problemOfLine(line: string, code: string): OperationOutcomeIssue {
  const colon = line.indexOf(': ');
  if (colon <= 0) return { severity: 'error', code, diagnostics: line };
  return {
    severity: 'error',
    code,
    diagnostics: line,
    expression: [line.slice(0, colon)],
  };
}

export function operationOutcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}
