/** Pieces every part of the OpenAPI document (openapi.ts and the files it merges) is made of. */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const response = (name: string) => ({ $ref: `#/components/responses/${name}` });
export const json = (schema: unknown) => ({ 'application/json': { schema } });

export const noStore = { 'Cache-Control': { description: 'Always `no-store`.', required: true, schema: { type: 'string', const: 'no-store' } } };
/** Statuses any route may answer with. */
export const common = { '429': response('TooManyRequests'), '503': response('ServiceUnavailable'), default: response('InternalError') };
/** Statuses of any route that reads a JSON body. */
export const withBody = { '400': response('BadRequest'), '413': response('PayloadTooLarge'), '415': response('UnsupportedMediaType') };
export const bearer = [{ bearerAuth: [] }];
/** A new password, as sign-up's rules have it. */
export const password = { type: 'string', minLength: 8, maxLength: 256 };
