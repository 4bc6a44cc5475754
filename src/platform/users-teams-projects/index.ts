// Public file of users, teams and projects: local passwords, the Project controller (cascading deletion,
// global admins) and the first-start bootstrap (the admin User, platform-user RBAC).
export { verifyPassword, hashPassword, generatePassword, userPasswordAdmission } from './passwords.ts';
export { ProjectController } from './project-controller.ts';
export { BOOTSTRAP_ADMIN, ensureBootstrapAdmin, ensurePlatformUserRbac } from './bootstrap.ts';
export { setupUsersTeamsProjects } from './setup.ts';
