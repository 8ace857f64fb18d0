/** Scalingo container sizes, as the API describes them (prices in euro cents). */
export interface ContainerSize {
  id: string;
  name: string;
  human_name: string;
  human_cpu: string;
  memory: number;
  swap: number;
  ordinal: number;
  hourly_price: number;
  thirtydays_price: number;
}

const MiB = 1024 * 1024;

function size(ordinal: number, name: string, memoryMiB: number, cpu: string, hourly: number): ContainerSize {
  return {
    id: `size-${name.toLowerCase()}`,
    name,
    human_name: `${name} (${memoryMiB >= 1024 ? `${memoryMiB / 1024} GB` : `${memoryMiB} MB`})`,
    human_cpu: cpu,
    memory: memoryMiB * MiB,
    swap: memoryMiB * 2 * MiB,
    ordinal,
    hourly_price: hourly,
    thirtydays_price: hourly * 720,
  };
}

export const defaultSizes: ContainerSize[] = [
  size(1, 'S', 256, 'standard', 1),
  size(2, 'M', 512, 'standard', 2),
  size(3, 'L', 1024, 'high', 4),
  size(4, 'XL', 2048, 'high', 8),
  size(5, '2XL', 4096, 'dedicated', 16),
];
