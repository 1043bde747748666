// Loaded with --import into the program: says once on stderr when anything loads MikroORM
// (test/integration/mikro-orm-loading.test.ts). Its packages are CommonJS: every load of them,
// from an ESM import included, passes through Module._load.
import Module from 'node:module';
import process from 'node:process';

const load = Module._load;
let told = false;
Module._load = function (request, ...rest) {
  if (!told && request.includes('@mikro-orm/')) {
    told = true;
    process.stderr.write(`MIKRO-ORM-LOADED ${request}\n`);
  }
  return load.call(this, request, ...rest);
};
