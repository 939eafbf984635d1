export const ACTION_NAME = 'promote-encrypted-ami';
export const ACTION_VERSION = '0.1.0';
