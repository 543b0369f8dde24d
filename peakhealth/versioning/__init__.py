"""The one version-chain mechanism shared by library sections, library workouts and template
routines: pure rules (`rules`), the stored envelope (`documents`), chain heads and their lease
(`heads`), and the operations (`chains`)."""
