/**
 * Positional parameters for a statement assembled from parts: each value added returns its
 * placeholder (`$n`, cast when given), so parts written by different services can share one statement.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}
