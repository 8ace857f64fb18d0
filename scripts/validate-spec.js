// Validates openapi.yaml with swagger-parser and prints what it holds.
import SwaggerParser from '@apidevtools/swagger-parser';

try {
  const api = await SwaggerParser.validate(new URL('../openapi.yaml', import.meta.url).pathname);
  const operations = Object.values(api.paths).flatMap((item) => [
    ...['get', 'put', 'post', 'delete', 'patch'].filter((m) => item[m]),
    ...Object.keys(item['x-oai-additionalOperations'] ?? {}),
  ]);
  console.log(`openapi.yaml is valid: ${Object.keys(api.paths).length} paths, ${operations.length} operations`);
} catch (err) {
  console.error(`openapi.yaml is invalid: ${err.message}`);
  process.exit(1);
}
