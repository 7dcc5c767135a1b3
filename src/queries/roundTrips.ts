/** Counts the store round trips of one request (reported in a response header and by the benchmark). */
export class RoundTrips {
  mongo = 0;
  eventStore = 0;

  count<T>(p: Promise<T>, kind: 'mongo' | 'eventStore' = 'mongo'): Promise<T> {
    this[kind] += 1;
    return p;
  }

  get total(): number {
    return this.mongo + this.eventStore;
  }
}
