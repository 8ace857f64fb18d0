/** The price of a size on Scalingo's pricing grid: a decimal string, per period. */
export interface Pricing {
  price: string;
  currency: 'EUR';
  period: 'minute';
}

/**
 * Scalingo container sizes, with the fields go-scalingo's `ContainerSize` and scalingo.js's
 * models declare (prices in euro cents, memory and swap in bytes).
 */
export interface ContainerSize {
  id: string;
  sku: string;
  name: string;
  human_name: string;
  human_cpu: string;
  memory: number;
  swap: number;
  pids_limit: number;
  ordinal: number;
  hourly_price: number;
  thirtydays_price: number;
  pricings: { default: Pricing };
}

const MiB = 1024 * 1024;

function size(ordinal: number, name: string, memoryMiB: number, cpu: string, hourly: number): ContainerSize {
  return {
    id: `size-${name.toLowerCase()}`,
    sku: `container-${name.toLowerCase()}`,
    name,
    human_name: `${name} (${memoryMiB >= 1024 ? `${memoryMiB / 1024} GB` : `${memoryMiB} MB`})`,
    human_cpu: cpu,
    memory: memoryMiB * MiB,
    swap: memoryMiB * 2 * MiB,
    // One process per 2 MiB of memory: grows with the size, as the real limits do.
    pids_limit: memoryMiB / 2,
    ordinal,
    hourly_price: hourly,
    thirtydays_price: hourly * 720,
    pricings: { default: { price: (hourly / 100 / 60).toFixed(6), currency: 'EUR', period: 'minute' } },
  };
}

/** What `GET /v1/features/container_sizes` lists; runs take one of these names. */
export const defaultSizes: ContainerSize[] = [
  size(1, 'S', 256, 'standard', 1),
  size(2, 'M', 512, 'standard', 2),
  size(3, 'L', 1024, 'high', 4),
  size(4, 'XL', 2048, 'high', 8),
  size(5, '2XL', 4096, 'dedicated', 16),
];
