/**
 * Root of the inventory's failures. A listing that fails is not thrown to
 * the caller of `readInventory`: it becomes an `unknown` type carrying
 * one of these as its reason.
 */
export class InventoryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A list endpoint kept failing (429, 5xx, network) or refused us. */
export class ListingFailedError extends InventoryError {
  constructor(
    /** The resource type being listed, e.g. `container`. */
    readonly resourceType: string,
    /** The 1-based page that failed. */
    readonly page: number,
    options?: ErrorOptions,
  ) {
    super(`listing ${resourceType} failed on page ${page}`, options);
  }
}

/**
 * A list answered inconsistently (a page shorter than announced, a total
 * that moved): the listing cannot be trusted as complete.
 */
export class IncompleteListingError extends InventoryError {
  constructor(
    readonly resourceType: string,
    readonly expected: number,
    readonly received: number,
  ) {
    super(`listing ${resourceType} returned ${received} of ${expected} items`);
  }
}

/** The listing needs a setting the configuration does not have. */
export class InventoryScopeError extends InventoryError {
  constructor(
    readonly resourceType: string,
    readonly setting: string,
  ) {
    super(`listing ${resourceType} needs ${setting}`);
  }
}
