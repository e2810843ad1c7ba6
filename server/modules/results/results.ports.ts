// What the results module needs from the attempts module beyond its service functions, in one
// place: the attempt row lock and update behind granting extra minutes to a running attempt (the
// attempts module has no service function for it yet).
export { parsePlan } from '../attempts/attempt.model.js';
export { subtopicLabel } from '../attempts/attempts.emails.js';
export { lockAttempt, updateAttempt } from '../attempts/attempts.repository.js';
