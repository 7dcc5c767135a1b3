import { ValidationError } from '../../errors';

/** The fields a ValidationError thrown by `fn` names (fails the test if it throws none). */
export const fieldsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).fields.map((f) => f.path);
  }
  throw new Error('expected a ValidationError');
};
