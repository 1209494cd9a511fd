/** HTTP adapter of the appointments area: schemas from `@medledger/api`, logic in `operations/appointments.ts`. */
import {
  appointment,
  appointmentList,
  appointmentQuery,
  bookAppointmentBody,
  cancelAppointmentBody,
  confirmAppointmentBody,
  errorResponses,
  idParam,
  publishSlotsBody,
  slotAnswer,
  slotList,
  slotQuery,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import {
  bookAppointment,
  cancelAppointment,
  confirmAppointment,
  getAppointment,
  listAppointments,
  listSlots,
  publishSlots,
} from '../operations/appointments.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function appointmentRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];
  const tags = ['appointments'];

  app.post(
    '/api/slots',
    {
      onRequest: session,
      schema: {
        summary:
          'Publish free slots for a doctor or nurse (by themselves, or by an admin of their organisation)',
        tags,
        security,
        body: publishSlotsBody,
        response: { 201: slotList, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await publishSlots(services, request.session, request.body)),
  );

  app.get(
    '/api/slots',
    {
      onRequest: session,
      schema: {
        summary:
          'Slots of this gateway’s organisations, by organisation, practitioner and time (free by default)',
        description: 'format=fhir answers a FHIR R4 Bundle of Schedule and Slot resources.',
        tags,
        security,
        querystring: slotQuery,
        response: { 200: slotAnswer, ...errorResponses },
      },
    },
    async (request) => listSlots(services, request.query),
  );

  app.post(
    '/api/appointments',
    {
      onRequest: session,
      schema: {
        summary:
          'Take a slot for a visit (the patient); held until confirmed, 409 slot_taken if another took it',
        tags,
        security,
        body: bookAppointmentBody,
        response: { 201: appointment, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await bookAppointment(services, request.session, request.body)),
  );

  app.post(
    '/api/appointments/:id/confirmation',
    {
      onRequest: session,
      schema: {
        summary: 'Book a held slot once the visit’s grant and Appointment record exist (the patient)',
        tags,
        security,
        params: idParam,
        body: confirmAppointmentBody,
        response: { 200: appointment, ...errorResponses },
      },
    },
    async (request) =>
      confirmAppointment(services, request.session, {
        ...request.body,
        appointmentId: Number(request.params.id),
      }),
  );

  app.post(
    '/api/appointments/:id/cancellation',
    {
      onRequest: session,
      schema: {
        summary: 'Cancel an appointment (its patient or practitioner): the slot is freed, the consent ends',
        tags,
        security,
        params: idParam,
        body: cancelAppointmentBody,
        response: { 200: appointment, ...errorResponses },
      },
    },
    async (request) =>
      cancelAppointment(services, request.session, {
        ...request.body,
        appointmentId: Number(request.params.id),
      }),
  );

  app.get(
    '/api/appointments',
    {
      onRequest: session,
      schema: {
        summary: 'The caller’s appointments, as patient or as practitioner (a day: from and to)',
        tags,
        security,
        querystring: appointmentQuery,
        response: { 200: appointmentList, ...errorResponses },
      },
    },
    async (request) => listAppointments(services, request.session, request.query),
  );

  app.get(
    '/api/appointments/:id',
    {
      onRequest: session,
      schema: {
        summary: 'One appointment (to its patient and its practitioner only)',
        tags,
        security,
        params: idParam,
        response: { 200: appointment, ...errorResponses },
      },
    },
    async (request) => getAppointment(services, request.session, Number(request.params.id)),
  );
}
