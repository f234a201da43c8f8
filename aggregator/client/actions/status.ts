/** GET /v1/status: the proving setup's state, and the signing block where the service runs accounts. */
import { type Http, sendJson } from '../http.ts'
import type { ServiceStatus } from '../types.ts'

export function getStatus(http: Http): Promise<ServiceStatus> {
  return sendJson<ServiceStatus>(http, '/v1/status')
}
