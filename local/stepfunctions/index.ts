export { createStepFunctionsService, SfnApiError, type StepFunctionsOptions, type StepFunctionsService } from './service';
export { stateMachinesFromTemplate, type TemplateStateMachine } from './state-machines-from-template';
export { clockService } from './clock-service';
