console.error(`npm run ${process.argv[2]}: not yet built`);
process.exit(1);
