// Jest setup: the gateway must never phone home, also not from tests.
process.env.APOLLO_TELEMETRY_DISABLED = '1';
process.env.NODE_ENV = process.env.NODE_ENV === 'development' ? 'development' : 'test';
