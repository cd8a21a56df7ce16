import { defineConfig } from "vitest/config";

// Two runs: `unit` needs only npm packages (npm test); `compat` needs Debian tools and ../shared (npm run test:compat).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: ["test/compat/**", "node_modules/**", "dist/**"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "compat",
          include: ["test/compat/**/*.test.ts"],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
