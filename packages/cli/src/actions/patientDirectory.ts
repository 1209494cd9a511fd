import type { PatientProfile } from '@medledger/client';
import { formatDeskCode } from '@medledger/client';
import { InvalidInputError, type PatientGender, patientGenders } from '@medledger/core';
import type { Command } from 'commander';
import { clientFor, globalOptions, parseAddress } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';

function parseBirthDate(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidInputError(`Invalid --birth-date "${value}": expected YYYY-MM-DD.`, {
      reason: 'invalid_birth_date',
    });
  }
  return value;
}

function parseGender(value: string | undefined): PatientGender | undefined {
  if (value === undefined) return undefined;
  const gender = patientGenders.find((code) => code === value);
  if (!gender) {
    throw new InvalidInputError(`Unknown gender "${value}"; use one of: ${patientGenders.join(', ')}.`);
  }
  return gender;
}

function describeProfile(profile: PatientProfile): string {
  return [
    `name:       ${profile.name}`,
    ...(profile.birthDate ? [`birth date: ${profile.birthDate}`] : []),
    ...(profile.gender ? [`gender:     ${profile.gender}`] : []),
    ...(profile.phone ? [`phone:      ${profile.phone}`] : []),
    ...(profile.email ? [`email:      ${profile.email}`] : []),
    `patient:    ${profile.patient}`,
    `record:     ${profile.recordId} (${new Date(profile.updatedAt * 1000).toISOString()})`,
  ].join('\n');
}

/** The profile as JSON: its fields, without the FHIR resource (`record get` prints that). */
function profileJson({ resource: _resource, ...profile }: PatientProfile) {
  return profile;
}

export const setProfile: ActionHandler = async (options, command: Command) => {
  const birthDate = parseBirthDate(options.birthDate);
  const gender = parseGender(options.gender);
  const result = await (await clientFor(command)).setPatientProfile({
    family: options.family,
    ...(options.given ? { given: options.given } : {}),
    ...(birthDate ? { birthDate } : {}),
    ...(gender ? { gender } : {}),
    ...(options.phone ? { phone: options.phone } : {}),
    ...(options.email ? { email: options.email } : {}),
  });
  print(globalOptions(command), result, () =>
    [
      `profile recorded as ${result.recordId} (block ${result.blockNumber})`,
      ...(result.supersedes ? [`it supersedes ${result.supersedes}`] : []),
    ].join('\n'),
  );
};

export const showProfile: ActionHandler = async (options, command: Command) => {
  const client = await clientFor(command);
  const patient = options.patient ? parseAddress(options.patient, 'patient') : client.address;
  const profile = await client.patientProfileOf(patient);
  print(globalOptions(command), profileJson(profile), () => describeProfile(profile));
};

export const newDeskCode: ActionHandler = async (_options, command: Command) => {
  const result = await (await clientFor(command)).issueDeskCode();
  print(globalOptions(command), result, () =>
    [
      `desk code: ${formatDeskCode(result.code)}`,
      `valid until ${new Date(result.expiresAt * 1000).toISOString()}, once; show it at the desk`,
    ].join('\n'),
  );
};

/** `SYSTEM|VALUE`: the identifier system and value. */
function parseMrn(text: string): { system: string; value: string } {
  const bar = text.lastIndexOf('|');
  const system = text.slice(0, bar);
  const value = text.slice(bar + 1);
  if (bar < 1 || !value) {
    throw new InvalidInputError(
      `Invalid --mrn "${text}": expected SYSTEM|VALUE, e.g. urn:st-mary:mrn|MRN-0042.`,
      {
        reason: 'invalid_identifier',
      },
    );
  }
  return { system, value };
}

export const findPatient: ActionHandler = async (options, command: Command) => {
  const ways = [options.code, options.mrn, options.name ?? options.birthDate].filter(
    (way) => way !== undefined,
  );
  if (ways.length !== 1) {
    throw new InvalidInputError('Find by one of --code, --mrn, or --name (and/or --birth-date).', {
      reason: 'one_way_to_find',
    });
  }
  const client = await clientFor(command);
  const json = globalOptions(command);
  if (options.code !== undefined) {
    const found = await client.redeemDeskCode(options.code);
    print(json, found, `patient ${found.patient} (desk code of organisation ${found.organisationId})`);
    return;
  }
  if (options.mrn !== undefined) {
    const found = await client.findPatientByIdentifier(parseMrn(options.mrn));
    print(json, found, `patient ${found.patient} (${found.system}|${found.value})`);
    return;
  }
  const birthDate = parseBirthDate(options.birthDate);
  const result = await client.findPatients({
    ...(options.name ? { name: options.name } : {}),
    ...(birthDate ? { birthDate } : {}),
  });
  print(json, { ...result, matches: result.matches.map(profileJson) }, () =>
    [
      ...result.matches.map(
        (match) => `${match.patient}  ${match.name}${match.birthDate ? `  born ${match.birthDate}` : ''}`,
      ),
      `${result.matches.length} of ${result.searched} patient${result.searched === 1 ? '' : 's'} sharing demographics with you match` +
        (result.unreadable.length ? ` (${result.unreadable.length} without a readable profile)` : ''),
    ].join('\n'),
  );
};

export const addIdentifier: ActionHandler = async (options, command: Command) => {
  const result = await (await clientFor(command)).assignPatientIdentifier({
    patient: parseAddress(options.patient, 'patient'),
    system: options.system,
    value: options.value,
  });
  print(
    globalOptions(command),
    result,
    `${result.system}|${result.value} is patient ${result.patient} for organisation ${result.organisationId}`,
  );
};

export const listIdentifiers: ActionHandler = async (options, command: Command) => {
  const client = await clientFor(command);
  const patient = options.patient ? parseAddress(options.patient, 'patient') : client.address;
  const result = await client.listPatientIdentifiers(patient);
  print(globalOptions(command), result, () =>
    result.identifiers.length
      ? result.identifiers
          .map(
            (identifier) =>
              `organisation ${identifier.organisationId}  ${identifier.system}|${identifier.value}`,
          )
          .join('\n')
      : 'no identifiers you may see',
  );
};
