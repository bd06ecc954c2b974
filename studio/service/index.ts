export { StudioService, type StudioServiceOptions, type StudioEventListener } from './studio-service.ts';
export { StudioError, toApiError } from './api-error.ts';
export { PARAM_SCHEMAS, isMethod, validateParams, validateRequest } from './params.ts';
