/**
 * Orders routes (lab orders, prescriptions, claims): HTTP adapters of `operations/orders.ts`.
 * Bodies carry records as `POST /api/records` does, so they take its size limit.
 */
import {
  completeOrderBody,
  dispenseOrderBody,
  errorResponses,
  listOrdersQuery,
  orderDetail,
  orderIdParams,
  orderList,
  orderPlaced,
  placeOrderBody,
  setOrderStatusBody,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import {
  completeOrder,
  dispenseOrder,
  getOrder,
  listOrders,
  placeOrder,
  setOrderStatus,
} from '../operations/orders.ts';
import { maxRecordBodyBytes } from './recordRoutes.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function orderRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];
  const tags = ['orders'];
  const hex = (id: string) => id as `0x${string}`;

  app.post(
    '/api/orders',
    {
      onRequest: session,
      bodyLimit: maxRecordBodyBytes,
      schema: {
        summary: 'Place a lab order, prescription or claim: its request record and the signed PlaceOrder',
        description:
          'The request record (ServiceRequest, MedicationRequest or Claim, of category lab, medication or insurance) ' +
          'is checked as POST /api/records checks a record and anchored in the same transaction as the order. ' +
          'The order id is the request record id.',
        tags,
        security,
        body: placeOrderBody,
        response: { 201: orderPlaced, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await placeOrder(services, request.session, request.body)),
  );

  app.get(
    '/api/orders',
    {
      onRequest: session,
      schema: {
        summary: 'Orders of a view: my organisation’s worklist, those I placed, or a patient’s',
        tags,
        security,
        querystring: listOrdersQuery,
        response: { 200: orderList, ...errorResponses },
      },
    },
    async (request) => listOrders(services, request.session, request.query),
  );

  app.get(
    '/api/orders/:orderId',
    {
      onRequest: session,
      schema: {
        summary: 'One order with its steps (404 to whoever may not see it)',
        tags,
        security,
        params: orderIdParams,
        response: { 200: orderDetail, ...errorResponses },
      },
    },
    async (request) => getOrder(services, request.session, hex(request.params.orderId)),
  );

  app.post(
    '/api/orders/:orderId/status',
    {
      onRequest: session,
      schema: {
        summary: 'Accept, start or reject an order (its performer), or cancel it (its requester or patient)',
        tags,
        security,
        params: orderIdParams,
        body: setOrderStatusBody,
        response: { 200: orderDetail, ...errorResponses },
      },
    },
    async (request) => setOrderStatus(services, request.session, hex(request.params.orderId), request.body),
  );

  app.post(
    '/api/orders/:orderId/complete',
    {
      onRequest: session,
      bodyLimit: maxRecordBodyBytes,
      schema: {
        summary:
          'Post a lab order’s or claim’s result records (the first a DiagnosticReport or ClaimResponse)',
        description:
          'Refused (403, reason order_not_performer) to anyone outside the organisation the order was sent to.',
        tags,
        security,
        params: orderIdParams,
        body: completeOrderBody,
        response: { 200: orderDetail, ...errorResponses },
      },
    },
    async (request) => completeOrder(services, request.session, hex(request.params.orderId), request.body),
  );

  app.post(
    '/api/orders/:orderId/dispense',
    {
      onRequest: session,
      bodyLimit: maxRecordBodyBytes,
      schema: {
        summary: 'Dispense a prescription: the MedicationDispense record and the signed DispenseOrder',
        description:
          'Of two pharmacies dispensing the last units at once one wins; the other gets 409 with reason ' +
          'order_quantity_exceeded or order_fills_used, and its record is not anchored.',
        tags,
        security,
        params: orderIdParams,
        body: dispenseOrderBody,
        response: { 200: orderDetail, ...errorResponses },
      },
    },
    async (request) => dispenseOrder(services, request.session, hex(request.params.orderId), request.body),
  );
}
